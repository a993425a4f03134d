/**
 * The sweep's one summary: counts first, then each violation, then what was not reached.
 */
import type { NotificationMessage } from '../ports';
import { overallAction } from './event-notification';
import type { FindingReport, SweepReport } from './report';
import { reportJson } from './report-json';
import { undoSection } from './restore';
import { fitToSns } from './size-bounds';
import { findingRuleText } from './rule-text';
import { consoleHost, plainText, plural, subjectText } from './text';

const EMAIL_FINDINGS_LIMIT = 60;

function sweepSubjectOf(report: SweepReport): string {
  const c = report.counts;
  const where = report.account ? `${report.region}, ${report.account}` : report.region;
  let what: string;
  if (c.failed > 0) what = `FAILED to revoke ${c.failed} of ${plural(c.violations, 'violation')}`;
  else if (c.violations > 0 && report.mode === 'report') what = `would revoke ${plural(c.violations, 'rule')} (report mode)`;
  else if (c.violations > 0)
    what = `${c.restricted > 0 ? 'revoked/restricted' : 'revoked'} ${plural(c.revoked + c.restricted + c.already_removed, 'rule')}`;
  else what = `no violations in ${plural(c.rules, 'rule')}`;
  if (c.cannot_evaluate > 0) what += `, ${plural(c.cannot_evaluate, 'rule')} cannot be evaluated`;
  const incomplete = report.incomplete || report.errors.length > 0 ? ' (incomplete)' : '';
  return subjectText(`sg-sentry sweep: ${what}${incomplete} in ${where}`);
}

function sweepFindingLines(f: FindingReport, index: number, region: string): string[] {
  const group = f.group_id ?? f.group_name ?? 'unknown group';
  const lines = [
    `${index + 1}. ${plainText(group, 40)}${f.group_name && f.group_id ? ` (${plainText(f.group_name, 80)})` : ''}: ${f.direction} ${plainText(findingRuleText(f), 120)}`,
    `   action: ${f.action}`,
    `   reason: ${plainText(f.reason)}`,
  ];
  if (f.rule_id !== undefined) lines.push(`   rule id: ${plainText(f.rule_id, 40)}`);
  if (f.description !== undefined) lines.push(`   description: "${plainText(f.description, 255)}"`);
  if (f.error !== undefined) lines.push(`   error: ${plainText(f.error)}`);
  if (f.group_id !== undefined) {
    lines.push(`   https://${consoleHost(region)}/ec2/home?region=${region}#SecurityGroup:groupId=${encodeURIComponent(f.group_id)}`);
  }
  return lines;
}

function sweepEmailOf(report: SweepReport): string {
  const c = report.counts;
  const violations = report.findings.filter((f) => f.verdict === 'violation');
  const exempt = report.findings.length - violations.length;
  const shown = violations.slice(0, EMAIL_FINDINGS_LIMIT);
  const lines = [
    `SWEEP of ${plainText(report.region)}${report.account ? ` (account ${plainText(report.account)})` : ''}: ${plural(c.violations, 'violation')}` +
      (report.mode === 'report'
        ? ' (report mode: nothing was changed)'
        : `, ${c.revoked} revoked, ${c.restricted} restricted, ${c.already_removed} already removed, ${c.failed} failed`),
    '',
    'Counts',
    `  groups: ${c.groups}, rules: ${c.rules}, pages: ${report.pages}`,
    `  allowed: ${c.allowed}, violations: ${c.violations}, exempt: ${c.exempt}`,
    `  revoked: ${c.revoked}, restricted: ${c.restricted}, already removed: ${c.already_removed}, failed: ${c.failed}, reported: ${c.reported}`,
    ...(c.cannot_evaluate > 0 ? [`  cannot be evaluated (left in place, listed below): ${c.cannot_evaluate}`] : []),
    `  mode: ${report.mode}, action: ${report.policy_action}`,
    `  when: ${plainText(report.event_time)}`,
  ];
  if (report.incomplete) {
    lines.push('', 'Not reached (the next sweep starts over from the beginning)');
    for (const r of report.not_reached) {
      const groups =
        r.group_ids === null
          ? 'all groups'
          : `${plural(r.group_ids.length, 'group')} (${r.group_ids
              .slice(0, 5)
              .map((g) => plainText(g, 40))
              .join(', ')}${r.group_ids.length > 5 ? ', …' : ''})`;
      lines.push(`  - ${groups}${r.next_token !== null ? ', from a later page' : ''}: ${plainText(r.reason)}`);
    }
  }
  if (report.errors.length > 0) {
    lines.push('', 'Errors');
    for (const e of report.errors.slice(0, 20)) lines.push(`  - ${plainText(e)}`);
  }
  if (violations.length > 0) {
    lines.push('', `Violations (${violations.length})`, ...shown.flatMap((f, i) => sweepFindingLines(f, i, report.region)));
    if (violations.length > shown.length) lines.push(`   … and ${violations.length - shown.length} more in the JSON report`);
  }
  if (report.exceptions_in_force.length > 0) {
    lines.push('', `Exceptions in force (${report.exceptions_in_force.length})`);
    for (const e of report.exceptions_in_force.slice(0, EMAIL_FINDINGS_LIMIT)) {
      lines.push(
        `  - ${plainText(e.group_id, 40)}${e.group_name !== undefined ? ` (${plainText(e.group_name, 80)})` : ''}: until ${plainText(e.until, 40)} (tag ${plainText(e.tag, 128)})`,
      );
    }
    if (report.exceptions_in_force.length > EMAIL_FINDINGS_LIMIT)
      lines.push(`  … and ${report.exceptions_in_force.length - EMAIL_FINDINGS_LIMIT} more in the JSON report`);
  }
  if (exempt > 0)
    lines.push(
      '',
      `${plural(exempt, 'exempt rule')} (excluded groups or tags, exceptions, or remembered exemptions of exempt principals) left alone: listed in the JSON report.`,
    );
  lines.push(...undoSection(report.restore));
  return lines.join('\n');
}

export function sweepNotificationOf(report: SweepReport): NotificationMessage {
  const groups = new Set(report.findings.filter((f) => f.verdict === 'violation').map((f) => f.group_id ?? f.group_name ?? 'unknown'));
  const [only] = groups;
  return fitToSns(
    {
      subject: sweepSubjectOf(report),
      email: sweepEmailOf(report),
      json: reportJson(report),
      attributes: {
        action: overallAction(report),
        group_id: groups.size === 0 ? 'none' : groups.size === 1 && only !== undefined ? only : 'multiple',
        event_name: report.event_name,
      },
    },
    report,
  );
}

/**
 * A summary goes out when there is something to act on: violations, failures, or a part of the
 * region left unexamined. Groups excluded on purpose (exempt) alone do not send one every hour.
 */
export function shouldNotifySweep(report: SweepReport, notifyAllowed: boolean): boolean {
  if (notifyAllowed) return true;
  return report.counts.violations > 0 || report.counts.failed > 0 || report.errors.length > 0 || report.incomplete;
}
