/**
 * One security-group change, end to end: look up what the event does not say, judge every
 * rule, act on the violations, report, notify. Orchestration only: each step lives in its own
 * folder, and the clock, AWS and the environment come in through `EngineContext`.
 */
import { act, alreadyRemoved } from './act/act';
import { findingsWhenLookupFailed } from './act/lookup-failed';
import type { ChangeCommon, SecurityGroupChange } from './event/change';
import { messageOf, RetryableRemediationError } from './errors';
import { exemptionFor, groupExemption } from './judge/exemptions';
import { listsToInspect } from './judge/containment';
import { exemptionsToRemember } from './judge/remembered-exemptions';
import { judgeRules } from './judge/judge';
import { exceptionOf, withException } from './judge/time-boxed-exception';
import { assumedDefaultEgress, createdGroupRules } from './lookup/created-group';
import { readPrefixListsOrThrow } from './lookup/prefix-lists';
import type { PrefixListLookup } from './model/prefix-list';
import { currentRules } from './lookup/current-rules';
import { groupOfChange, withUnreadTags } from './lookup/groups';
import type { Finding } from './model/finding';
import type { Rule } from './model/rule';
import { publishOnce } from './notify-once';
import type { EngineContext, GroupInfo, SecurityHubPort, Target, UnreadableRule } from './ports';
import type { SkippedReport } from './report/report';
import { boundedLogLine } from './report/size-bounds';
import { skippedReport } from './report/skipped-report';
import { notificationOf, shouldNotify } from './report/event-notification';
import { eventMetrics } from './report/metrics';
import { eventReport, type EventReport, type FindingReport, worstVerdict } from './report/report';
import { unreadableFindingReport } from './report/unreadable-finding';
import { deliverEventReport } from './report/security-hub-export';

export interface ChangeResult {
  readonly report: EventReport;
  /** The report's findings as the engine holds them, with what the action planned for each. */
  readonly findings: readonly Finding[];
}

export const targetOf = (change: ChangeCommon): Target => ({
  ...(change.account !== undefined ? { account: change.account } : {}),
  region: change.region,
});

/**
 * The report of an event the function cannot act on: another account, and no member role to
 * act there. Not an error and not retried: nothing would change on a retry. undefined when the
 * event's account can be reached.
 */
export function unreachableAccount(change: ChangeCommon, ctx: EngineContext): SkippedReport | undefined {
  if (ctx.portsFor(targetOf(change)) !== undefined) return undefined;
  const report = skippedReport(
    'ignored',
    undefined,
    `account ${change.account} is not the function's own, and no member role is configured to act in it`,
    { eventId: change.eventId, eventName: change.eventName },
  );
  ctx.log({ level: 'warn', message: 'sg-sentry ignored event', account: change.account, region: change.region, ...report });
  return report;
}

/**
 * Handles one change end to end. Throws `RetryableRemediationError` when a retry could finish
 * the job, and `NotificationError` when SNS failed after remediation; in both cases the report
 * has been logged first, and a revoke that succeeded stays done.
 */
export async function processChange(event: SecurityGroupChange, ctx: EngineContext): Promise<ChangeResult> {
  const { policy } = ctx;
  let change = event;
  const ports = ctx.portsFor(targetOf(change));
  // The handler asks unreachableAccount() first; a caller that did not gets a clear failure.
  if (ports === undefined) throw new Error(`processChange: no ports for account ${change.account}; check unreachableAccount() first`);
  const { ec2 } = ports;
  const findings: Finding[] = [];

  let rules: Rule[] = [...change.rules];
  const readFromEc2 = new Set<Rule>();
  let group: GroupInfo | undefined;
  let tagsUnreadable: string | undefined;
  let lists: PrefixListLookup = new Map();
  let unreadable: readonly UnreadableRule[] = [];
  try {
    const current = await currentRules(change.undirectedRules, ec2);
    const created = await createdGroupRules(change, policy, ec2);
    rules = rules.concat(current.rules, created);
    for (const rule of [...current.rules, ...created]) readFromEc2.add(rule);
    // Judged as ingress, the stricter reading; the rule no longer exists either way.
    findings.push(...judgeRules(current.gone.map(asIngress), policy).map(alreadyRemoved));
    unreadable = current.unreadable;
    lists = await readPrefixListsOrThrow(listsToInspect(rules, policy), ec2);
    ({ group, unreadable: tagsUnreadable } = await groupOfChange(change, policy, ec2, groupCouldMatter(rules, change, ctx, lists)));
  } catch (error) {
    // Judged on what the event says, without the tags that were not read; nothing is revoked.
    const judged = [...change.rules, ...change.undirectedRules.map(asIngress), ...assumedDefaultEgress(change, policy)];
    const exempt = groupExemption(policy, change.groupId) ?? exemptionFor(policy, change.principal, ctx.self);
    const failed = findingsWhenLookupFailed(judgeRules(judged, policy, exempt), change.groupId, error);
    return finish(
      change,
      undefined,
      failed.findings,
      failed.retryable ? [`looking up ${change.groupId ?? 'the group'} failed: ${messageOf(error)}`] : [],
      ctx,
      ports.securityHub,
    );
  }

  if (change.groupId === undefined && group !== undefined) {
    // Named only by name and read by name: from here on the group is the one EC2 named by id,
    // for its scope, the revoke and the report alike.
    const resolved = named(group.groupId);
    rules = rules.map(resolved);
    change = { ...change, groupId: group.groupId, rules: change.rules.map(resolved) };
  }
  const groupReason = groupExemption(policy, change.groupId, group?.tags);
  const principalReason = groupReason === undefined ? exemptionFor(policy, change.principal, ctx.self) : undefined;
  const exemptReason = groupReason ?? principalReason;
  const exception = exemptReason === undefined ? exceptionOf(policy, group?.tags, ctx.now()) : undefined;
  // What EC2 just described is revoked by id; what the event says, by content.
  const acted = await act(
    withUnreadTags(withException(judgeRules(rules, policy, exemptReason, lists), exception), tagsUnreadable),
    policy,
    ec2,
    {
      principal: change.principal,
      now: ctx.now(),
      revokeByRuleId: (rule) => readFromEc2.has(rule),
      ...(tagsUnreadable !== undefined ? { notAttempted: tagsUnreadable } : {}),
    },
  );
  findings.push(...acted.findings);
  if (principalReason !== undefined) await rememberExemptions(change, acted.findings, principalReason, ctx);
  // A rule the Modify names that EC2 still holds but sg-sentry cannot read is neither judged nor
  // gone: it is reported as a violation that cannot be evaluated, left for a person.
  const unreadableReports = unreadable.map((rule) => unreadableFindingReport(rule, exemptReason));
  return finish(change, group, findings, acted.retryable, ctx, ports.securityHub, unreadableReports);
}

const asIngress = <R extends Omit<Rule, 'direction'>>(rule: R): Rule => ({ ...rule, direction: 'ingress' });

/** The rule with the group id EC2 gave for the name it names its group by (the others unchanged). */
const named =
  (groupId: string) =>
  (rule: Rule): Rule =>
    rule.groupId === undefined ? { ...rule, groupId } : rule;

async function finish(
  change: SecurityGroupChange,
  group: GroupInfo | undefined,
  findings: readonly Finding[],
  retryable: readonly string[],
  ctx: EngineContext,
  securityHub: SecurityHubPort | undefined,
  unreadable: readonly FindingReport[] = [],
): Promise<ChangeResult> {
  const base = eventReport(change, group, findings, ctx.policy);
  const judged = unreadable.length === 0 ? base : withUnreadable(base, unreadable);
  const report = await settleEventReport(judged, retryable, ctx, securityHub);
  return { report, findings };
}

/** The report with the rules that cannot be evaluated added, and its verdict the worst of all. */
export function withUnreadable(report: EventReport, unreadable: readonly FindingReport[]): EventReport {
  const findings = [...report.findings, ...unreadable];
  return { ...report, findings, verdict: worstVerdict(findings) };
}

/**
 * The last step of every event report, whichever path judged it: metrics, then a throw when a
 * retry may finish the job (the retry notifies), else the notification once per event id and
 * the Security Hub import, then the one log line. A failure no retry can fix is in the report
 * and the notification, never thrown. `level` is the log level when nothing failed.
 */
export async function settleEventReport(
  report: EventReport,
  retryable: readonly string[],
  ctx: EngineContext,
  securityHub: SecurityHubPort | undefined,
  level: 'info' | 'warn' = 'info',
): Promise<EventReport> {
  const failed = retryable.length > 0 || report.findings.some((f) => f.action === 'failed');
  const lineLevel = failed ? 'error' : level;
  ctx.metrics?.record(eventMetrics(report, ctx.now()));
  if (retryable.length > 0) {
    ctx.log(boundedLogLine({ level: lineLevel, message: 'sg-sentry event', ...report }));
    throw new RetryableRemediationError(`remediation incomplete, a retry may finish it: ${retryable.join('; ')}`);
  }
  // The one log line comes after the notification, so it can say whether this delivery was a duplicate.
  // Security Hub comes after the notification too, whatever the notification did.
  let delivered: EventReport | undefined;
  try {
    delivered = await deliverEventReport(report, () => notifyIfNeeded(report, ctx), securityHub, ctx);
  } finally {
    const duplicate = delivered?.duplicate === true ? { duplicate: true } : {};
    ctx.log(boundedLogLine({ level: lineLevel, message: 'sg-sentry event', ...report, ...duplicate }));
  }
  return delivered;
}

/**
 * Whether reading the group could change a verdict: some rule is a violation, and neither the
 * group's scope (when the event names it by id) nor the principal already exempts it. Otherwise
 * the change costs no read.
 */
function groupCouldMatter(rules: readonly Rule[], change: SecurityGroupChange, ctx: EngineContext, lists: PrefixListLookup): boolean {
  const { policy } = ctx;
  // A group named only by name has a scope only once a read gives its id.
  const scopeKnown = change.groupId !== undefined || change.groupName === undefined;
  if (scopeKnown && groupExemption(policy, change.groupId) !== undefined) return false;
  if (exemptionFor(policy, change.principal, ctx.self) !== undefined) return false;
  return judgeRules(rules, policy, undefined, lists).some((j) => j.verdict === 'violation');
}

/**
 * Lets the sweep know which violations the change's principal was allowed to make. After
 * remediation, and never in its way: a table that cannot be written is a log line.
 */
async function rememberExemptions(
  change: SecurityGroupChange,
  findings: readonly Finding[],
  reason: string,
  ctx: EngineContext,
): Promise<void> {
  if (ctx.state === undefined) return;
  const { records, notRemembered, why } = exemptionsToRemember(change, findings, reason, ctx.now());
  if (notRemembered > 0) {
    ctx.log({
      level: 'warn',
      message: 'sg-sentry could not remember exemptions',
      event_id: change.eventId,
      not_remembered: notRemembered,
      reason: why,
    });
  }
  if (records.length === 0) return;
  try {
    await ctx.state.recordExemptions(records);
  } catch (error) {
    ctx.log({
      level: 'error',
      message: 'sg-sentry could not remember exemptions',
      event_id: change.eventId,
      not_remembered: records.length,
      error: messageOf(error),
    });
  }
}

/** Publishes the report when there is something to say, once per event id; true when this delivery was a duplicate. */
export async function notifyIfNeeded(report: EventReport, ctx: EngineContext): Promise<boolean> {
  if (ctx.notifier === undefined || !shouldNotify(report, ctx.policy)) return false;
  const { duplicate } = await publishOnce(report.event_id, { ...notificationOf(report), report }, ctx, { event_id: report.event_id });
  return duplicate;
}
