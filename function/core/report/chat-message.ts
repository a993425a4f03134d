/**
 * The message for Amazon Q Developer in chat applications (formerly AWS Chatbot), which posts
 * to Slack and Microsoft Teams only what arrives on its topic in its custom-notification format
 * (plain SNS text is dropped): `{version: "1.0", source: "custom", id, content: {textType:
 * "client-markdown", title, description, nextSteps}, metadata: {threadId, summary, …}}`.
 *
 * The markdown is the one both clients read (inline code, fenced blocks, plain lines). Text from
 * the event is data, never markup: it appears only inside inline code, where formatting is
 * literal; a backtick (which would end the code) and `<` `>` (Slack's links and mentions,
 * Teams' `<at>` tags) become look-alikes, control and bidi characters are made visible, and
 * URLs are defanged as in the email. Every field is bounded, so the message fits both clients.
 */
import { partitionOfRegion } from '../model/partition';
import type { NotificationMessage } from '../ports';
import { HEADLINE, groupLabel, overallAction } from './event-notification';
import { byVerdictSeverity, type EventReport, type FindingReport } from './report';
import { findingRuleParts, findingRuleText } from './rule-text';
import { groupConsoleUrl, plainText } from './text';

/** Bounds sg-sentry keeps, in characters: within Slack's 3,000 per text block and Teams' card limits. */
export const CHAT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 5,
  nextStep: 1000,
  summary: 250,
  id: 128,
  threadId: 128,
  keyword: 50,
  keywords: 5,
  contextValue: 500,
} as const;

/** Rules listed in the description; the rest are counted. */
const RULES_SHOWN = 10;

export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: 'sg-sentry-event' | 'sg-sentry-summary';
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** `https://evil.example/x` → `hxxps://evil[.]example/x`: no client turns it into a link. */
function defanged(text: string): string {
  return text.replace(
    /\b(h)(tt)(ps?):\/\/([^\s/]+)/gi,
    (_m, h: string, _tt: string, s: string, host: string) => `${h}xx${s}://${host.replace(/\./g, '[.]')}`,
  );
}

/** Event text, made inert: visible escapes, no code-ending backtick, no angle brackets, no live URL. */
function inertText(value: string | null | undefined, limit: number): string {
  return defanged(plainText(value, limit)).replace(/`/g, 'ˋ').replace(/</g, '‹').replace(/>/g, '›');
}

/** Event text as inline code. */
function code(value: string | null | undefined, limit = 300): string {
  const text = inertText(value, limit);
  return `\`${text === '' ? '-' : text}\``;
}

/** For fields shown as plain text (title, summary): formatting characters become look-alikes too. */
function plain(value: string, limit: number): string {
  const text = inertText(value, limit).replace(
    /[*_~#|[\]]/g,
    (c) => ({ '*': '∗', _: 'ˍ', '~': '∼', '#': '♯', '|': '∣', '[': '［', ']': '］' })[c] ?? c,
  );
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Cut at a line break, so that no code span is split. */
function bounded(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.lastIndexOf('\n', limit - 2);
  return `${text.slice(0, Math.max(cut, 0))}\n…`;
}

function ruleCode(f: FindingReport): string {
  const { traffic, preposition, source } = findingRuleParts(f);
  return `${code(traffic, 40)} ${preposition} ${code(source, 80)}`;
}

function findingLine(f: FindingReport): string {
  return `- ${f.direction} ${ruleCode(f)}: ${f.verdict}, ${f.action}. ${code(f.reason, 300)}`;
}

function eventNotification(report: EventReport, message: NotificationMessage): ChatNotification {
  const action = overallAction(report);
  const headline = HEADLINE[action] ?? action;
  const p = report.principal_details;
  const notAllowed = report.findings.filter((f) => f.verdict !== 'allowed');
  const first = (notAllowed.length > 0 ? notAllowed : report.findings)[0];
  const what = first === undefined ? 'no rules' : findingRuleText(first);
  const more = notAllowed.length > 1 ? ` (+${notAllowed.length - 1} more)` : '';
  const shown = [...report.findings].sort(byVerdictSeverity).slice(0, RULES_SHOWN);
  const group = groupLabel(report);
  const lines = [
    `${headline.toUpperCase()}${report.mode === 'report' ? ' (report mode: nothing was changed)' : ''}: ${code(report.event_name, 80)} on ${code(group, 200)}`,
    `Who: ${code(p.arn)} (${code(p.type, 40)}) from ${code(p.source_ip, 80)}`,
    `When: ${code(report.event_time, 40)}`,
    `Where: account ${code(report.account, 20)}, region ${code(report.region, 30)}, VPC ${code(report.vpc_id, 40)}`,
    `Rules (${report.findings.length}):`,
    ...shown.map(findingLine),
    ...(report.findings.length > shown.length
      ? [`… and ${report.findings.length - shown.length} more in the email and the JSON report`]
      : []),
    `CloudTrail event ${code(report.event_id, 100)}`,
  ];
  const nextSteps: string[] = [];
  if (report.principal !== null) nextSteps.push(`Ask ${code(report.principal, 300)} whether the change was intended.`);
  for (const { command } of report.restore) {
    const step = `If it was legitimate, add an allow entry that covers it to the policy, then re-create it: \`${command.replace(/`/g, 'ˋ')}\``;
    nextSteps.push(
      step.length <= CHAT_LIMITS.nextStep
        ? step
        : 'If it was legitimate, add an allow entry that covers it to the policy, then re-create it with the command in the email.',
    );
  }
  if (report.group_id !== null) nextSteps.push(`Open the group: ${groupConsoleUrl(report.region, report.group_id)}`);
  const groupArn =
    report.group_id !== null && report.account !== null
      ? [`arn:${partitionOfRegion(report.region)}:ec2:${report.region}:${report.account}:security-group/${report.group_id}`]
      : [];
  return {
    version: '1.0',
    source: 'custom',
    id: plain(report.event_id, CHAT_LIMITS.id),
    content: {
      textType: 'client-markdown',
      title: plain(`sg-sentry: ${headline} ${what}${more} on ${group}`, CHAT_LIMITS.title),
      description: bounded(lines.join('\n'), CHAT_LIMITS.description),
      nextSteps: nextSteps.slice(0, CHAT_LIMITS.nextSteps),
      keywords: ['sg-sentry', action, report.region].map((k) => plain(k, CHAT_LIMITS.keyword)).slice(0, CHAT_LIMITS.keywords),
    },
    metadata: {
      threadId: plain(report.group_id ?? report.group_name ?? 'unknown-group', CHAT_LIMITS.threadId),
      summary: plain(message.subject, CHAT_LIMITS.summary),
      eventType: 'sg-sentry-event',
      relatedResources: groupArn,
      additionalContext: Object.fromEntries(
        Object.entries({
          account: report.account,
          region: report.region,
          group_id: report.group_id,
          event_id: report.event_id,
          action,
        }).flatMap(([k, v]) => (v === null ? [] : [[k, plain(v, CHAT_LIMITS.contextValue)]])),
      ),
    },
  };
}

/** A message about no single event (the sweep summary): its subject, and its text as a literal block. */
function summaryNotification(message: NotificationMessage): ChatNotification {
  const fence = '```';
  const body = bounded(defanged(message.email).replace(/`/g, 'ˋ'), CHAT_LIMITS.description - 2 * fence.length - 4);
  const region = message.attributes.region;
  return {
    version: '1.0',
    source: 'custom',
    id: plain(message.attributes.event_id ?? message.subject, CHAT_LIMITS.id),
    content: {
      textType: 'client-markdown',
      title: plain(message.subject, CHAT_LIMITS.title),
      description: `${fence}\n${body}\n${fence}`,
      nextSteps: [],
      keywords: ['sg-sentry', ...(region !== undefined ? [plain(region, CHAT_LIMITS.keyword)] : [])],
    },
    metadata: {
      threadId: plain(`sg-sentry-summary${region !== undefined ? `-${region}` : ''}`, CHAT_LIMITS.threadId),
      summary: plain(message.subject, CHAT_LIMITS.summary),
      eventType: 'sg-sentry-summary',
      relatedResources: [],
      additionalContext: Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, plain(v, CHAT_LIMITS.contextValue)])),
    },
  };
}

export function chatNotificationOf(message: NotificationMessage): ChatNotification {
  return message.report !== undefined ? eventNotification(message.report, message) : summaryNotification(message);
}
