/**
 * The notification for one group after a tag change: the event notification of its rules, with
 * what the tag change was and, first of all, an unapproved exception that was removed (who tried
 * is the point of that message, even when every rule is allowed).
 */
import type { Policy } from '../policy/policy';
import type { NotificationMessage } from '../ports';
import { groupLabel, notificationOf, shouldNotify } from './event-notification';
import type { EventReport, TagChangeFacts } from './report';
import { plainText, subjectText } from './text';

const ACTION_WORDS: Readonly<Record<NonNullable<TagChangeFacts['unapproved_exception']>['action'], string>> = {
  removed: 'REMOVED an unapproved exception',
  'would-remove': 'WOULD REMOVE an unapproved exception (report mode: nothing was changed)',
  failed: 'FAILED to remove an unapproved exception',
  'changed-since': 'unapproved exception, already changed',
};

function tagsText(facts: TagChangeFacts): string {
  if (facts.tags === 'all') return 'every tag';
  return facts.tags
    .map((t) => (t.value === undefined ? plainText(t.key, 128) : `${plainText(t.key, 128)}=${plainText(t.value, 256)}`))
    .join(', ');
}

function tagLines(report: EventReport, facts: TagChangeFacts): string[] {
  const lines: string[] = [];
  const unapproved = facts.unapproved_exception;
  if (unapproved !== undefined) {
    lines.push(
      `${ACTION_WORDS[unapproved.action]}: ${plainText(unapproved.tag, 128)}=${plainText(unapproved.value, 256)} on ${plainText(groupLabel(report))}`,
      `  set by: ${plainText(unapproved.set_by)}`,
      `  reason: ${plainText(unapproved.reason)}`,
      ...(unapproved.error !== undefined ? [`  error: ${plainText(unapproved.error)}`] : []),
      '',
    );
  }
  lines.push(
    `Tag change: ${plainText(report.event_name)} ${facts.kind === 'set' ? 'set' : 'removed'} ${tagsText(facts)}; the group's current rules were judged.`,
  );
  if (facts.could_not_judge !== undefined) lines.push(`  could not be judged: ${plainText(facts.could_not_judge)}`);
  lines.push('');
  return lines;
}

export function tagChangeNotificationOf(report: EventReport): NotificationMessage {
  const base = notificationOf(report);
  const facts = report.tag_change;
  if (facts === undefined) return base;
  const unapproved = facts.unapproved_exception;
  const subject =
    unapproved !== undefined && unapproved.action !== 'changed-since' && report.verdict === 'allowed'
      ? subjectText(
          `sg-sentry: ${unapproved.action === 'removed' ? 'removed' : unapproved.action === 'failed' ? 'FAILED to remove' : 'would remove'} unapproved exception on ${groupLabel(report)}`,
        )
      : base.subject;
  return {
    ...base,
    subject,
    email: [...tagLines(report, facts), base.email].join('\n'),
    // Subscribers filter on `action`: a removal is what happened when no rule needed acting on.
    attributes:
      unapproved?.action === 'removed' && base.attributes.action === 'none'
        ? { ...base.attributes, action: 'exception-removed' }
        : base.attributes,
  };
}

/** As for any event, plus: an unapproved exception, and a group that could not be judged, are always told. */
export function shouldNotifyTagChange(report: EventReport, policy: Pick<Policy, 'notifyAllowed'>): boolean {
  const facts = report.tag_change;
  if (facts?.could_not_judge !== undefined) return true;
  if (facts?.unapproved_exception !== undefined && facts.unapproved_exception.action !== 'changed-since') return true;
  return shouldNotify(report, policy);
}
