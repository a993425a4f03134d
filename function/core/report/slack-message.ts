/**
 * The Slack Block Kit message for a report: the same facts as the email, verdict
 * first, then who, when and where, then each rule with its action. Everything that came from
 * the event is data, never markup: it is shown as inline code (no bold, italics or strike can
 * start inside), with `&`, `<` and `>` escaped (so no `<!channel>` mention or `<url|link>`), and
 * every block stays within Slack's limits.
 */
import { HEADLINE, groupLabel, overallAction } from './event-notification';
import { byVerdictSeverity, type EventReport, type FindingReport } from './report';
import { findingRuleParts } from './rule-text';
import { consoleHost, plainText } from './text';

/** Slack rejects a section whose text is longer. */
export const SECTION_TEXT_LIMIT = 3000;
/** Slack rejects a message with more blocks. */
export const BLOCK_LIMIT = 50;
/** Finding sections shown; leaves room for the headline, who, where and links blocks. */
const FINDING_BLOCKS = 40;

export interface MrkdwnText {
  readonly type: 'mrkdwn';
  readonly text: string;
}

export type SlackBlock =
  | { readonly type: 'section'; readonly text: MrkdwnText }
  | { readonly type: 'divider' }
  | { readonly type: 'context'; readonly elements: readonly MrkdwnText[] };

export interface SlackMessage {
  /** Shown in notifications and where blocks cannot be; Slack parses it as mrkdwn too. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** The three characters Slack's mrkdwn reserves for links, mentions and entities. */
function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Event text as inline code: formatting characters are literal inside it, and a backtick,
 * which would end it, becomes a look-alike. Control characters are made visible first.
 */
export function literal(value: string | null | undefined, limit = 300): string {
  const text = plainText(value, limit).replace(/`/g, 'ˋ');
  return `\`${escapeMrkdwn(text === '' ? '-' : text)}\``;
}

/** For text that cannot be inline code (the notification preview): formatting characters become look-alikes. */
function inert(value: string): string {
  return escapeMrkdwn(plainText(value, 300)).replace(/[*_~`]/g, (c) => ({ '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' })[c] ?? c);
}

/** Cuts at a line break, so that no escape or code span is split. */
function bounded(text: string, limit = SECTION_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const cut = text.lastIndexOf('\n', limit - 2);
  return `${text.slice(0, Math.max(cut, 0))}\n…`;
}

function section(lines: readonly string[]): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: bounded(lines.join('\n')) } };
}

/** `` `tcp/22` from `0.0.0.0/0` ``: the rule text of every other format, its event parts as code. */
function ruleLiteral(f: FindingReport): string {
  const { traffic, preposition, source } = findingRuleParts(f);
  return `${literal(traffic, 40)} ${preposition} ${literal(source, 80)}`;
}

function findingBlock(f: FindingReport, index: number): SlackBlock {
  const lines = [
    `*${index + 1}.* ${f.direction} ${ruleLiteral(f)}`,
    `verdict: *${f.verdict}*, action: *${f.action}*`,
    `reason: ${literal(f.reason)}`,
  ];
  if (f.rule_id !== undefined) lines.push(`rule id: ${literal(f.rule_id, 40)}`);
  if (f.description !== undefined) lines.push(`description: ${literal(f.description, 255)}`);
  if (f.error !== undefined) lines.push(`error: ${literal(f.error)}`);
  return section(lines);
}

/** `<https://…|label>`: our own URL, with the event's values URL-encoded inside it. */
function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url)}|${label}>`;
}

export function slackMessageOf(report: EventReport, subject: string): SlackMessage {
  const action = overallAction(report);
  const headline = (HEADLINE[action] ?? action).toUpperCase();
  const p = report.principal_details;
  const notAllowed = report.findings.filter((f) => f.verdict !== 'allowed');
  const first = (notAllowed.length > 0 ? notAllowed : report.findings)[0];
  const what = first === undefined ? 'no rules' : ruleLiteral(first);
  const more = notAllowed.length > 1 ? ` (+${notAllowed.length - 1} more)` : '';
  const region = encodeURIComponent(report.region);
  const host = consoleHost(encodeURIComponent(report.region));
  const shown = [...report.findings].sort(byVerdictSeverity).slice(0, FINDING_BLOCKS);

  const links = [`CloudTrail event id: ${literal(report.event_id, 100)}`];
  if (report.group_id) {
    links.push(
      link(`https://${host}/ec2/home?region=${region}#SecurityGroup:groupId=${encodeURIComponent(report.group_id)}`, 'security group'),
    );
  }
  links.push(link(`https://${host}/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(report.event_id)}`, 'CloudTrail event'));

  const blocks: SlackBlock[] = [
    section([
      `*${headline}*${report.mode === 'report' ? ' _(report mode: nothing was changed)_' : ''}: ${what}${more} on ${literal(groupLabel(report), 120)}`,
      `${literal(report.event_name, 80)} by ${literal(p.arn)}`,
    ]),
    section([
      '*Who*',
      `principal: ${literal(p.arn)}`,
      `type: ${literal(p.type, 40)}`,
      `issuer role: ${literal(p.issuer_arn)}`,
      ...(p.invoked_by ? [`invoked by: ${literal(p.invoked_by)}`] : []),
      `source IP: ${literal(p.source_ip, 80)}`,
      `user agent: ${literal(p.user_agent)}`,
    ]),
    section([
      `*When* ${literal(report.event_time, 40)}`,
      '*Where*',
      `account: ${literal(report.account, 20)}`,
      `region: ${literal(report.region, 30)}`,
      `group: ${literal(groupLabel(report), 300)}`,
      `VPC: ${literal(report.vpc_id, 40)}`,
    ]),
    { type: 'divider' },
    ...shown.map(findingBlock),
  ];
  if (report.findings.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `… and ${report.findings.length - shown.length} more rules in the JSON report` }],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: bounded(links.join(' · '), 2000) }] });
  return { text: inert(subject), blocks: blocks.slice(0, BLOCK_LIMIT) };
}

/**
 * A message that is not about one event (e.g. a sweep summary): its subject, and its plain
 * text as preformatted blocks, cut at line breaks to fit the section and block limits.
 */
export function slackMessageOfText(subject: string, body: string): SlackMessage {
  const room = SECTION_TEXT_LIMIT - 8;
  const chunks: string[] = [];
  let current = '';
  for (const raw of body.split('\n')) {
    const line = escapeMrkdwn(plainText(raw, 500)).replace(/```/g, 'ˋˋˋ');
    if (current !== '' && current.length + line.length + 1 > room) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') chunks.push(current);
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${inert(subject)}*` } }];
  for (const chunk of chunks.slice(0, BLOCK_LIMIT - 2))
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${chunk}\`\`\`` } });
  if (chunks.length > BLOCK_LIMIT - 2) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `… ${chunks.length - (BLOCK_LIMIT - 2)} more parts in the email` }],
    });
  }
  return { text: inert(subject), blocks };
}
