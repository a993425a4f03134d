/**
 * Turns a report into what SNS delivers: a subject, a plain-text email a person reads on a
 * phone (verdict first), and the JSON report for programs. Everything that came from the event
 * is treated as data: control and bidi characters are made visible, lengths are bounded.
 */
import type { NotificationMessage } from './ports';
import { byVerdictSeverity, type EventReport, type FindingReport, type SweepReport } from './report';

const SUBJECT_LIMIT = 100;
const EMAIL_FINDINGS_LIMIT = 60;
/** SNS allows 256 KB for the whole JSON message (email + default); leave room for the email. */
const REPORT_JSON_LIMIT = 150_000;

/** Replaces characters that could forge lines or reorder text with a visible escape. */
export function plainText(value: string | null | undefined, limit = 300): string {
  if (value === null || value === undefined) return '-';
  const escaped = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > limit ? `${escaped.slice(0, limit - 1)}…` : escaped;
}

/** SNS subjects must be printable ASCII without line breaks. */
function subjectText(value: string): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > SUBJECT_LIMIT ? `${ascii.slice(0, SUBJECT_LIMIT - 3)}...` : ascii;
}

export function portsLabel(f: Pick<FindingReport, 'protocol' | 'from_port' | 'to_port'>): string {
  if (f.protocol === '-1') return 'all traffic';
  if (f.protocol === 'tcp' || f.protocol === 'udp') {
    if (f.from_port === null || f.to_port === null || (f.from_port <= 0 && f.to_port >= 65535) || f.from_port === -1) {
      return `${f.protocol}/all ports`;
    }
    return f.from_port === f.to_port ? `${f.protocol}/${f.from_port}` : `${f.protocol}/${f.from_port}-${f.to_port}`;
  }
  if (f.protocol === 'icmp' || f.protocol === 'icmpv6') {
    if (f.from_port === null || f.from_port === -1) return `${f.protocol}/all`;
    return `${f.protocol}/type ${f.from_port}${f.to_port !== null && f.to_port !== -1 ? ` code ${f.to_port}` : ''}`;
  }
  return `protocol ${f.protocol}`;
}

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

export function subjectOf(report: EventReport): string {
  const action = HEADLINE[overallAction(report)] ?? 'change';
  const findings = headlineFindings(report);
  const first = findings[0];
  const what = first === undefined ? 'no rules' : `${portsLabel(first)} from ${first.source}`;
  const more = findings.length > 1 ? ` (+${findings.length - 1} more)` : '';
  return subjectText(`sg-sentry: ${action} ${what}${more} on ${groupLabel(report)}`);
}

export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `${region}.console.amazonaws-us-gov.com`;
  return `${region}.console.aws.amazon.com`;
}

function findingLines(f: FindingReport, index: number): string[] {
  const lines = [
    `${index + 1}. ${f.direction} ${portsLabel(f)} ${f.direction === 'egress' ? 'to' : 'from'} ${plainText(f.source, 80)}`,
    `   verdict: ${f.verdict}, action: ${f.action}`,
    `   reason: ${plainText(f.reason)}`,
  ];
  if (f.rule_id !== undefined) lines.push(`   rule id: ${plainText(f.rule_id, 40)}`);
  if (f.description !== undefined) lines.push(`   description: "${plainText(f.description, 255)}"`);
  if (f.error !== undefined) lines.push(`   error: ${plainText(f.error)}`);
  return lines;
}

export function emailOf(report: EventReport): string {
  const action = overallAction(report);
  const p = report.principal_details;
  const findings = report.findings;
  const shown = [...findings].sort(byVerdictSeverity).slice(0, EMAIL_FINDINGS_LIMIT);
  const host = consoleHost(report.region);
  const groupLink = report.group_id
    ? `https://${host}/ec2/home?region=${report.region}#SecurityGroup:groupId=${encodeURIComponent(report.group_id)}`
    : undefined;
  const eventLink = `https://${host}/cloudtrailv2/home?region=${report.region}#/events/${encodeURIComponent(report.event_id)}`;
  const headline = `${(HEADLINE[action] ?? action).toUpperCase()}${report.mode === 'report' ? ' (report mode: nothing was changed)' : ''}`;
  const lines = [
    `${headline}: ${plainText(report.event_name)} on ${plainText(groupLabel(report))}`,
    '',
    'Who',
    `  principal: ${plainText(p.arn)}`,
    `  type: ${plainText(p.type)}`,
    `  issuer role: ${plainText(p.issuer_arn)}`,
    ...(p.invoked_by ? [`  invoked by: ${plainText(p.invoked_by)}`] : []),
    `  source IP: ${plainText(p.source_ip)}`,
    `  user agent: ${plainText(p.user_agent)}`,
    '',
    `When: ${plainText(report.event_time)}`,
    '',
    'Where',
    `  account: ${plainText(report.account)}`,
    `  region: ${plainText(report.region)}`,
    `  group: ${plainText(groupLabel(report))}`,
    `  VPC: ${plainText(report.vpc_id)}`,
    '',
    `Rules (${findings.length})`,
    ...shown.flatMap(findingLines),
    ...(findings.length > shown.length ? [`   … and ${findings.length - shown.length} more in the JSON report`] : []),
    '',
    `CloudTrail event id: ${plainText(report.event_id)}`,
    ...(groupLink ? [`Security group: ${groupLink}`] : []),
    `CloudTrail event: ${eventLink}`,
  ];
  return lines.join('\n');
}

/** The JSON report, cut to fit SNS's size limit: allowed findings go first, then the rest. */
export function reportJson(report: EventReport | SweepReport): string {
  const full = JSON.stringify(report);
  if (full.length <= REPORT_JSON_LIMIT) return full;
  const kept = [...report.findings].sort(byVerdictSeverity);
  let findings = kept;
  let text = full;
  while (text.length > REPORT_JSON_LIMIT && findings.length > 0) {
    findings = findings.slice(0, Math.floor(findings.length * 0.8));
    text = JSON.stringify({ ...report, findings, findings_truncated: report.findings.length - findings.length });
  }
  return text;
}

export function notificationOf(report: EventReport): NotificationMessage {
  return {
    subject: subjectOf(report),
    email: emailOf(report),
    json: reportJson(report),
    attributes: {
      action: overallAction(report),
      group_id: report.group_id ?? report.group_name ?? 'unknown',
      event_name: report.event_name,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The sweep's one summary: counts first, then each violation.

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function sweepSubjectOf(report: SweepReport): string {
  const c = report.counts;
  const where = report.account ? `${report.region}, ${report.account}` : report.region;
  let what: string;
  if (c.failed > 0) what = `FAILED to revoke ${c.failed} of ${plural(c.violations, 'violation')}`;
  else if (c.violations > 0 && report.mode === 'report') what = `would revoke ${plural(c.violations, 'rule')} (report mode)`;
  else if (c.violations > 0) what = `${c.restricted > 0 ? 'revoked/restricted' : 'revoked'} ${plural(c.revoked + c.restricted + c.already_removed, 'rule')}`;
  else what = `no violations in ${plural(c.rules, 'rule')}`;
  const incomplete = report.incomplete || report.errors.length > 0 ? ' (incomplete)' : '';
  return subjectText(`sg-sentry sweep: ${what}${incomplete} in ${where}`);
}

function sweepFindingLines(f: FindingReport, index: number, region: string): string[] {
  const group = f.group_id ?? f.group_name ?? 'unknown group';
  const lines = [
    `${index + 1}. ${plainText(group, 40)}${f.group_name && f.group_id ? ` (${plainText(f.group_name, 80)})` : ''}: ${f.direction} ${portsLabel(f)} ${f.direction === 'egress' ? 'to' : 'from'} ${plainText(f.source, 80)}`,
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

export function sweepEmailOf(report: SweepReport): string {
  const c = report.counts;
  const violations = report.findings.filter((f) => f.verdict === 'violation');
  const exempt = report.findings.length - violations.length;
  const shown = violations.slice(0, EMAIL_FINDINGS_LIMIT);
  const lines = [
    `SWEEP of ${plainText(report.region)}${report.account ? ` (account ${plainText(report.account)})` : ''}: ${plural(c.violations, 'violation')}` +
      (report.mode === 'report' ? ' (report mode: nothing was changed)' : `, ${c.revoked} revoked, ${c.restricted} restricted, ${c.already_removed} already removed, ${c.failed} failed`),
    '',
    'Counts',
    `  groups: ${c.groups}, rules: ${c.rules}, pages: ${report.pages}`,
    `  allowed: ${c.allowed}, violations: ${c.violations}, exempt: ${c.exempt}`,
    `  revoked: ${c.revoked}, restricted: ${c.restricted}, already removed: ${c.already_removed}, failed: ${c.failed}, reported: ${c.reported}`,
    `  mode: ${report.mode}, action: ${report.policy_action}`,
    `  when: ${plainText(report.event_time)}`,
  ];
  if (report.incomplete) {
    lines.push('', 'Not reached (the next sweep starts over from the beginning)');
    for (const r of report.not_reached) {
      const groups = r.group_ids === null ? 'all groups' : `${plural(r.group_ids.length, 'group')} (${r.group_ids.slice(0, 5).map((g) => plainText(g, 40)).join(', ')}${r.group_ids.length > 5 ? ', …' : ''})`;
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
  if (exempt > 0) lines.push('', `${plural(exempt, 'exempt rule')} (excluded groups or tags) left alone: listed in the JSON report.`);
  return lines.join('\n');
}

export function sweepNotificationOf(report: SweepReport): NotificationMessage {
  const groups = new Set(report.findings.filter((f) => f.verdict === 'violation').map((f) => f.group_id ?? f.group_name ?? 'unknown'));
  const [only] = groups;
  return {
    subject: sweepSubjectOf(report),
    email: sweepEmailOf(report),
    json: reportJson(report),
    attributes: {
      action: overallAction(report),
      group_id: groups.size === 0 ? 'none' : groups.size === 1 && only !== undefined ? only : 'multiple',
      event_name: report.event_name,
    },
  };
}
