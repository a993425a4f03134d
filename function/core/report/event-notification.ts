/**
 * Turns a report into what SNS delivers: a subject, a plain-text email a person reads on a
 * phone (verdict first), and the JSON report for programs. Everything that came from the event
 * is treated as data: control and bidi characters are made visible, lengths are bounded.
 */
import type { Policy } from '../policy/policy';
import type { NotificationMessage } from '../ports';
import { byVerdictSeverity, type EventReport, type FindingReport } from './report';
import { prefixListHeadline, prefixListSection, prefixListSubject } from './prefix-list-notification';
import { reportJson } from './report-json';
import { undoSection } from './restore';
import { fitToSns } from './size-bounds';
import { findingRuleText } from './rule-text';
import { consoleHost, emailText, SUBJECT_LIMIT, subjectText, utf8Bytes } from './text';

const EMAIL_FINDINGS_LIMIT = 60;

/** The one word (or two) that says what happened, as attributes and subjects use it. */
export function overallAction(report: Pick<EventReport, 'findings' | 'mode'>): string {
  const actions = new Set(report.findings.map((f) => f.action));
  if (actions.has('failed')) return 'failed';
  if (actions.has('restricted')) return 'restricted';
  if (actions.has('revoked')) return 'revoked';
  if (actions.has('reported')) return 'would-revoke';
  if (actions.has('already-removed')) return 'already-removed';
  if (report.findings.some((f) => f.verdict === 'exempt')) return 'exempt';
  return 'none';
}

export const HEADLINE: Readonly<Record<string, string>> = {
  failed: 'FAILED to revoke',
  restricted: 'restricted',
  revoked: 'revoked',
  'would-revoke': 'would revoke',
  'already-removed': 'already removed',
  exempt: 'exempt change',
  none: 'allowed change',
};

export function groupLabel(report: Pick<EventReport, 'group_id' | 'group_name'>): string {
  const id = report.group_id ?? report.group_name ?? 'unknown group';
  return report.group_name && report.group_id ? `${id} (${report.group_name})` : id;
}

function headlineFindings(report: EventReport): FindingReport[] {
  const notAllowed = report.findings.filter((f) => f.verdict !== 'allowed');
  return notAllowed.length > 0 ? notAllowed : [...report.findings];
}

/**
 * The group as the subject names it: its id, and its name in quotes, so that a name such as
 * "(ALL CLEAR - auto test, no action needed)" reads as a name and not as sg-sentry speaking.
 * The name is bounded, so the closing quote always fits.
 */
function subjectGroupLabel(report: Pick<EventReport, 'group_id' | 'group_name'>): string {
  const id = report.group_id ? subjectText(report.group_id, SUBJECT_LABEL_LIMIT / 2) : undefined;
  if (!report.group_name) return id ?? 'unknown group';
  const room = SUBJECT_LABEL_LIMIT - (id === undefined ? 0 : id.length + 1) - 2;
  const name = `"${subjectText(report.group_name.replace(/"/g, "'"), room)}"`;
  return id === undefined ? name : `${id} ${name}`;
}

/** The group's share of the subject; the rest says what happened. */
const SUBJECT_LABEL_LIMIT = SUBJECT_LIMIT / 2;

export function subjectOf(report: EventReport): string {
  if (report.prefix_list !== undefined) return prefixListSubject(report.prefix_list);
  const action = HEADLINE[overallAction(report)] ?? 'change';
  const findings = headlineFindings(report);
  const first = findings[0];
  const what = first === undefined ? 'no rules' : findingRuleText(first);
  const more = findings.length > 1 ? ` (+${findings.length - 1} more)` : '';
  const label = subjectGroupLabel(report);
  return `${subjectText(`sg-sentry: ${action} ${what}${more} on `, SUBJECT_LIMIT - label.length)}${label}`;
}

function findingLines(f: FindingReport, index: number): string[] {
  const lines = [
    `${index + 1}. ${f.direction} ${emailText(findingRuleText(f), 120)}`,
    `   verdict: ${f.verdict}, action: ${f.action}`,
    `   reason: ${emailText(f.reason)}`,
  ];
  if (f.rule_id !== undefined) lines.push(`   rule id: ${emailText(f.rule_id, 40)}`);
  if (f.description !== undefined) lines.push(`   description: "${emailText(f.description, 255)}"`);
  if (f.error !== undefined) lines.push(`   error: ${emailText(f.error)}`);
  return lines;
}

/** The email's share of SNS's 256 KiB, in UTF-8 bytes; the JSON report takes the rest. */
const EMAIL_BYTES_LIMIT = 64 * 1024;

export function emailOf(report: EventReport, shownLimit = EMAIL_FINDINGS_LIMIT): string {
  const text = emailWith(report, shownLimit);
  // Every field is bounded, so fewer rules always fit; the JSON report has them all.
  return utf8Bytes(text) > EMAIL_BYTES_LIMIT && shownLimit > 1 ? emailOf(report, Math.floor(shownLimit / 2)) : text;
}

function emailWith(report: EventReport, shownLimit: number): string {
  const action = overallAction(report);
  const p = report.principal_details;
  const findings = report.findings;
  const shown = [...findings].sort(byVerdictSeverity).slice(0, shownLimit);
  const host = consoleHost(report.region);
  const groupLink = report.group_id
    ? `https://${host}/ec2/home?region=${report.region}#SecurityGroup:groupId=${encodeURIComponent(report.group_id)}`
    : undefined;
  const eventLink = `https://${host}/cloudtrailv2/home?region=${report.region}#/events/${encodeURIComponent(report.event_id)}`;
  const headline = `${(HEADLINE[action] ?? action).toUpperCase()}${report.mode === 'report' ? ' (report mode: nothing was changed)' : ''}`;
  const unreadable = report.unreadable_event;
  const list = report.prefix_list;
  const lines = [
    list !== undefined
      ? prefixListHeadline(report, list)
      : `${headline}: ${emailText(report.event_name)} on ${emailText(groupLabel(report))}`,
    '',
    ...(list !== undefined ? prefixListSection(report, list) : []),
    ...(unreadable === undefined
      ? []
      : [
          'The event itself could not be read, so the current rules of the group it names were judged instead:',
          ...unreadable.problems.slice(0, 10).map((p) => `  - ${emailText(p)}`),
          '',
        ]),
    'Who',
    `  principal: ${emailText(p.arn)}`,
    `  type: ${emailText(p.type)}`,
    `  issuer role: ${emailText(p.issuer_arn)}`,
    ...(p.invoked_by ? [`  invoked by: ${emailText(p.invoked_by)}`] : []),
    `  source IP: ${emailText(p.source_ip)}`,
    `  user agent: ${emailText(p.user_agent)}`,
    '',
    `When: ${emailText(report.event_time)}`,
    '',
    'Where',
    `  account: ${emailText(report.account)}`,
    `  region: ${emailText(report.region)}`,
    list !== undefined ? `  groups: ${list.referencing_groups.length} (listed above)` : `  group: ${emailText(groupLabel(report))}`,
    `  VPC: ${emailText(report.vpc_id)}`,
    '',
    `Rules (${findings.length})`,
    ...shown.flatMap(findingLines),
    ...(findings.length > shown.length ? [`   … and ${findings.length - shown.length} more in the JSON report`] : []),
    ...undoSection(report.restore),
    '',
    `CloudTrail event id: ${emailText(report.event_id)}`,
    ...(groupLink ? [`Security group: ${groupLink}`] : []),
    `CloudTrail event: ${eventLink}`,
  ];
  return lines.join('\n');
}

export function notificationOf(report: EventReport): NotificationMessage {
  return fitToSns(
    {
      subject: subjectOf(report),
      email: emailOf(report),
      json: reportJson(report),
      attributes: {
        action: overallAction(report),
        group_id: report.group_id ?? report.group_name ?? (report.prefix_list !== undefined ? 'multiple' : 'unknown'),
        event_name: report.event_name,
        ...(report.prefix_list !== undefined ? { prefix_list_id: report.prefix_list.prefix_list_id } : {}),
      },
    },
    report,
  );
}

/** Nothing is sent for an event whose rules are all allowed, unless the policy asks for it. */
export function shouldNotify(report: Pick<EventReport, 'verdict' | 'findings'>, policy: Pick<Policy, 'notifyAllowed'>): boolean {
  if (report.findings.length === 0) return false;
  return report.verdict !== 'allowed' || policy.notifyAllowed;
}
