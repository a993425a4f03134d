/**
 * A watched event that could not be read is never dropped. When its record still names a
 * group, that group's current rules are judged as the sweep judges them (listed with
 * DescribeSecurityGroupRules, so revoked by id) and acted on, and the report says why the
 * event itself could not be read. An event of another account, with no member role to act
 * there, is ignored as a readable one is. When no group can be read from it, or its region is
 * unknown, or EC2 refuses the reads for good, it is logged at error level and notified as
 * "could not be checked" (the module's metric filter on that line raises an alarm). Throttling
 * and 5xx still throw, after a warning (not that line), so Lambda's retries take over.
 */
import { act } from './act/act';
import { isGroupNotFound } from './act/lookup-failed';
import type { SecurityGroupChange, UnreadableEvent } from './event/change';
import { settleEventReport, withUnreadable } from './engine';
import { Ec2CallError, messageOf, RetryableRemediationError } from './errors';
import { exemptionFor, groupExemption } from './judge/exemptions';
import { judgeRules } from './judge/judge';
import { exceptionOf, withException } from './judge/time-boxed-exception';
import { describeEachGroup, policyReadsTags } from './lookup/groups';
import type { Finding } from './model/finding';
import type { Rule } from './model/rule';
import type { Ec2Port, EngineContext, GroupInfo, UnreadableRule } from './ports';
import { couldNotCheckLogLine, couldNotCheckNotification, couldNotCheckReport } from './report/could-not-check';
import { publishOnce } from './notify-once';
import { couldNotCheckMetrics } from './report/metrics';
import { eventReport, type EventReport, type FindingReport, type SkippedReport } from './report/report';
import { skippedReport } from './report/skipped-report';
import { boundedProblems } from './report/text';
import { unreadableFindingReport } from './report/unreadable-finding';

interface GroupRules {
  readonly groupId: string;
  readonly rules: Rule[];
  readonly unreadable: UnreadableRule[];
  /** undefined: tags not needed; null: the group no longer exists. */
  readonly info: GroupInfo | null | undefined;
}

/**
 * Every rule of one group as EC2 holds it now, all pages; a deleted group has none. Its tags
 * are read only when `tagsMatter` says they could change a verdict.
 */
async function currentRulesOf(
  groupId: string,
  ec2: Ec2Port,
  tagsMatter: (rules: readonly Rule[], unreadable: readonly UnreadableRule[]) => boolean,
): Promise<GroupRules> {
  const rules: Rule[] = [];
  const unreadable: UnreadableRule[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await ec2.describeRules({ groupIds: [groupId], ...(token !== undefined ? { nextToken: token } : {}) });
      rules.push(...page.rules);
      unreadable.push(...(page.unreadable ?? []));
      token = page.nextToken;
    } while (token !== undefined);
  } catch (error) {
    if (isGroupNotFound(error)) return { groupId, rules: [], unreadable: [], info: null };
    throw error;
  }
  const info = tagsMatter(rules, unreadable) ? ((await describeEachGroup([groupId], ec2)).get(groupId) ?? null) : undefined;
  return { groupId, rules, unreadable, info };
}

/** Judges and acts on the current rules of the groups an unreadable event names. */
export async function processUnreadable(event: UnreadableEvent, ctx: EngineContext): Promise<EventReport | SkippedReport> {
  const unreadableWhy = `the event could not be read: ${event.problems.join('; ')}`;
  if (event.region === undefined) return couldNotCheck(event, `${unreadableWhy}; and it names no region to look in`, ctx);
  if (event.groupIds.length === 0) return couldNotCheck(event, `${unreadableWhy}; and no security group can be read from it`, ctx);
  const ports = ctx.portsFor({ ...(event.account !== undefined ? { account: event.account } : {}), region: event.region });
  if (ports === undefined) {
    // Another account's event is not this function's to check, readable or not: ignored as the
    // engine ignores a readable one, not alarmed.
    const report = skippedReport(
      'ignored',
      undefined,
      `account ${event.account} is not the function's own, and no member role is configured to act in it (${unreadableWhy})`,
      { eventId: event.eventId, eventName: event.eventName, problems: event.problems },
    );
    ctx.log({ level: 'warn', message: 'sg-sentry ignored event', account: event.account, region: event.region, ...report });
    return report;
  }
  const { ec2 } = ports;
  const { policy } = ctx;

  let groups: GroupRules[];
  try {
    groups = [];
    const principalExempt = exemptionFor(policy, event.principal, ctx.self) !== undefined;
    for (const groupId of event.groupIds) {
      // As on the event path, tags are read only for a violation a tag could exempt.
      const tagsMatter = (rules: readonly Rule[], unreadable: readonly UnreadableRule[]) =>
        policyReadsTags(policy) &&
        !principalExempt &&
        groupExemption(policy, groupId) === undefined &&
        (unreadable.length > 0 || judgeRules(rules, policy).some((j) => j.verdict === 'violation'));
      groups.push(await currentRulesOf(groupId, ec2, tagsMatter));
    }
  } catch (error) {
    const reason = `${unreadableWhy}; and reading the current rules of ${event.groupIds.join(', ')} failed: ${messageOf(error)}`;
    if (error instanceof Ec2CallError && !error.retryable) return couldNotCheck(event, reason, ctx);
    // Not the "could not check" line: that one raises an alarm, and a retry may still check it.
    ctx.log({
      level: 'warn',
      message: 'sg-sentry event not checked yet; a retry follows',
      event_id: event.eventId ?? null,
      event_name: event.eventName,
      reason,
    });
    throw new RetryableRemediationError(reason, { cause: error });
  }

  const findings: Finding[] = [];
  const retryable: string[] = [];
  const unreadableRules: FindingReport[] = [];
  for (const group of groups) {
    if (group.info === null) continue;
    // As in the sweep, the group's scope and tags decide; the event's principal, who is all the
    // record still says about the change, is honoured as on the event path.
    const exempt = groupExemption(policy, group.groupId, group.info?.tags) ?? exemptionFor(policy, event.principal, ctx.self);
    const exception = exempt === undefined ? exceptionOf(policy, group.info?.tags, ctx.now()) : undefined;
    const acted = await act(withException(judgeRules(group.rules, policy, exempt), exception), policy, ec2, {
      principal: event.principal,
      now: ctx.now(),
      revokeByRuleId: () => true,
    });
    findings.push(...acted.findings);
    retryable.push(...acted.retryable);
    unreadableRules.push(...group.unreadable.map((rule) => unreadableFindingReport(rule, exempt)));
  }

  const [first] = groups;
  const asChange: SecurityGroupChange = { ...event, region: event.region, groupId: first?.groupId, rules: [], undirectedRules: [] };
  const report: EventReport = {
    ...withUnreadable(eventReport(asChange, first?.info ?? undefined, findings, policy), unreadableRules),
    unreadable_event: { problems: boundedProblems(event.problems), judged_groups: groups.map((g) => g.groupId) },
  };
  // Settled as any event report: one notification per event id however often it is delivered.
  return settleEventReport(report, retryable, ctx, ports.securityHub, 'warn');
}

async function couldNotCheck(event: UnreadableEvent, reason: string, ctx: EngineContext): Promise<SkippedReport> {
  const report = couldNotCheckReport(event, reason);
  const metrics = couldNotCheckMetrics(report, ctx.now());
  if (metrics !== undefined) ctx.metrics?.record(metrics);
  // Keyed by the event id like every notification, so a redelivery does not send it twice.
  let duplicate = false;
  try {
    ({ duplicate } = await publishOnce(event.eventId ?? null, couldNotCheckNotification(event, report), ctx, {
      event_id: event.eventId ?? null,
    }));
  } finally {
    ctx.log(couldNotCheckLogLine(event, duplicate ? { ...report, duplicate } : report));
  }
  return duplicate ? { ...report, duplicate } : report;
}
