/**
 * A tag change on security groups (CreateTags, DeleteTags). When it touches a tag sg-sentry
 * reads (the exception tag, an `exclude_tags` key), each group it names is judged at once with
 * its current rules and tags, as the sweep would judge it: ending an exception takes effect in
 * seconds, not at the next sweep. An exception tag set by someone `exception_approvers` does not
 * name is never honoured: it is removed (enforce mode) and the attempt is notified.
 * Orchestration only, like engine.ts.
 */
import { act } from './act/act';
import type { SecurityGroupChange, TagChange } from './event/change';
import { Ec2CallError, messageOf, RetryableRemediationError } from './errors';
import { exemptionFor, groupExemption, groupScope, principalMatch } from './judge/exemptions';
import { judgeRules } from './judge/judge';
import { honourRemembered } from './judge/remembered-exemptions';
import { exceptionOf, withException } from './judge/time-boxed-exception';
import type { Finding, Judgement } from './model/finding';
import type { Rule } from './model/rule';
import type { Policy } from './policy/policy';
import { publishOnce } from './notify-once';
import type { Ec2Port, EngineContext, GroupInfo, SecurityHubPort } from './ports';
import {
  eventReport,
  type EventReport,
  type TagChangeFacts,
  type TagChangeReport,
  type TagReport,
  type UnapprovedExceptionReport,
} from './report/report';
import { eventMetrics } from './report/metrics';
import { deliverEventReport } from './report/security-hub-export';
import { boundedGroupsLogLine } from './report/size-bounds';
import { skippedReport } from './report/skipped-report';
import { shouldNotifyTagChange, tagChangeNotificationOf } from './report/tag-change-notification';
import type { SkippedReport } from './report/report';

const PAGE_SIZE = 1000;

/** The tags of the call that sg-sentry reads, or undefined when it touches none of them. */
export function tagsThatMatter(change: TagChange, policy: Policy): readonly TagReport[] | 'all' | undefined {
  const keys = new Set([...(policy.exceptionTag !== null ? [policy.exceptionTag] : []), ...Object.keys(policy.excludeTags)]);
  if (keys.size === 0) return undefined;
  if (change.tags === 'all') return 'all';
  const relevant = change.tags.filter((tag) => keys.has(tag.key));
  return relevant.length > 0 ? relevant : undefined;
}

/** The exception value this call set without approval, with why; undefined when approval is not needed or given. */
export function unapprovedException(change: TagChange, policy: Policy): { readonly value: string; readonly reason: string } | undefined {
  const tag = policy.exceptionTag;
  if (change.kind !== 'set' || tag === null || policy.exceptionApprovers.length === 0 || change.tags === 'all') return undefined;
  const set = change.tags.find((t) => t.key === tag);
  if (set === undefined) return undefined;
  if (principalMatch('exception_approvers', policy.exceptionApprovers, change.principal) !== undefined) return undefined;
  const who = change.principal.arn ?? 'an unknown principal';
  return { value: set.value ?? '', reason: `${who} is not in exception_approvers, so the exception tag ${tag} it set is not honoured` };
}

/** Every rule of one group, all pages. */
async function rulesOfGroup(groupId: string, ec2: Ec2Port): Promise<Rule[]> {
  const rules: Rule[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.describeRules({ groupIds: [groupId], maxResults: PAGE_SIZE, ...(nextToken !== undefined ? { nextToken } : {}) });
    rules.push(...page.rules);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return rules;
}

async function groupInfo(groupId: string, ec2: Ec2Port): Promise<GroupInfo | null> {
  try {
    return (await ec2.describeGroups([groupId]))[0] ?? null;
  } catch (error) {
    if (error instanceof Ec2CallError && error.code === 'InvalidGroup.NotFound') return null;
    throw error;
  }
}

/**
 * Handles one tag change end to end. Throws `RetryableRemediationError` when a retry could
 * finish the job and `NotificationError` when SNS failed, after logging the report.
 */
export async function processTagChange(change: TagChange, ctx: EngineContext): Promise<TagChangeReport | SkippedReport> {
  const { policy } = ctx;
  const known = { eventId: change.eventId, eventName: change.eventName };
  const tags = tagsThatMatter(change, policy);
  const self = exemptionFor({ ...policy, exemptPrincipals: [] }, change.principal, ctx.self);
  if (tags === undefined || self !== undefined) {
    const reason =
      self !== undefined
        ? `${change.eventName} ${self}: the group was judged when it did it`
        : `${change.eventName} changes no tag sg-sentry reads`;
    const report = skippedReport('ignored', undefined, reason, known);
    ctx.log({ level: 'info', message: 'sg-sentry ignored event', ...report });
    return report;
  }
  const ports = ctx.portsFor({ ...(change.account !== undefined ? { account: change.account } : {}), region: change.region });
  if (ports === undefined) throw new Error(`processTagChange: no ports for account ${change.account}; check unreachableAccount() first`);
  const unapproved = unapprovedException(change, policy);
  const groups: EventReport[] = [];
  const notWatched: { group_id: string; reason: string }[] = [];
  const retryable: string[] = [];
  for (const groupId of change.groupIds) {
    const scope = groupScope(policy, groupId);
    if (!scope.watched) {
      notWatched.push({ group_id: groupId, reason: scope.reason });
      continue;
    }
    try {
      const judged = await judgeGroup(change, groupId, { kind: change.kind, tags }, unapproved, ports.ec2, ctx);
      if (judged !== undefined) {
        groups.push(judged.report);
        retryable.push(...judged.retryable);
      }
    } catch (error) {
      if (error instanceof Ec2CallError && !error.retryable) {
        groups.push(failedGroupReport(change, groupId, { kind: change.kind, tags }, error, policy));
        continue;
      }
      // The other groups are still judged now (one slow group must not delay their revokes); the retry finishes this one.
      retryable.push(`judging ${groupId} after ${change.eventName} failed: ${messageOf(error)}`);
    }
  }
  const reportOf = (judged: readonly EventReport[]): TagChangeReport => ({
    status: 'processed',
    kind: 'tag-change',
    event_id: change.eventId,
    event_name: change.eventName,
    account: change.account ?? null,
    region: change.region,
    principal: change.principal.arn ?? null,
    groups: judged,
    not_watched: notWatched,
  });
  // Each group's findings are counted as an event's are, before a retryable failure throws.
  for (const report of groups) ctx.metrics?.record(eventMetrics(report, ctx.now()));
  if (retryable.length > 0) {
    ctx.log(boundedGroupsLogLine({ level: 'error', message: 'sg-sentry tag change', ...reportOf(groups) }));
    throw new RetryableRemediationError(`remediation incomplete, a retry may finish it: ${retryable.join('; ')}`);
  }
  // Logged after the notifications, so that the line says which were duplicates.
  let notified: readonly EventReport[] = groups;
  try {
    notified = await notifyGroups(groups, ports.securityHub, ctx);
  } finally {
    // Error level when anything failed for good, as an event's line is.
    const failed = groups.some(
      (g) =>
        g.tag_change?.could_not_judge !== undefined ||
        g.tag_change?.unapproved_exception?.action === 'failed' ||
        g.findings.some((f) => f.action === 'failed'),
    );
    ctx.log(boundedGroupsLogLine({ level: failed ? 'error' : 'info', message: 'sg-sentry tag change', ...reportOf(notified) }));
  }
  return reportOf(notified);
}

/** One group: drop an unapproved exception, then judge its current rules with its current tags. */
async function judgeGroup(
  change: TagChange,
  groupId: string,
  facts: Omit<TagChangeFacts, 'unapproved_exception'>,
  unapproved: { readonly value: string; readonly reason: string } | undefined,
  ec2: Ec2Port,
  ctx: EngineContext,
): Promise<{ report: EventReport; retryable: string[] } | undefined> {
  const { policy } = ctx;
  const info = await groupInfo(groupId, ec2);
  // Deleted since the call: nothing left to judge.
  if (info === null) return undefined;
  let tags = info.tags;
  let removal: UnapprovedExceptionReport | undefined;
  const tag = policy.exceptionTag;
  if (unapproved !== undefined && tag !== null) {
    const base = { tag, value: unapproved.value, set_by: change.principal.arn ?? null, reason: unapproved.reason };
    if (tags[tag] !== unapproved.value) {
      removal = {
        ...base,
        action: 'changed-since',
        reason: `${unapproved.reason}; the group no longer carries that value, so nothing was removed`,
      };
    } else {
      // Never honoured, whether or not the removal below succeeds.
      const { [tag]: _unapproved, ...rest } = tags;
      tags = rest;
      removal = await removeTag(groupId, tag, unapproved.value, base, ec2, policy);
    }
  }
  const rules = await rulesOfGroup(groupId, ec2);
  const exemptReason = groupExemption(policy, groupId, tags);
  const exception = exemptReason === undefined ? exceptionOf(policy, tags, ctx.now()) : undefined;
  const judged = withException(judgeRules(rules, policy, exemptReason), exception).filter((j) => j.verdict !== 'allowed');
  const { judgements, unread } = await withRemembered(judged, change, ctx);
  const acted = await act(judgements, policy, ec2, {
    now: ctx.now(),
    revokeByRuleId: () => true,
    ...(unread !== undefined
      ? { notAttempted: `not revoked: the exemptions remembered for these rules could not be read (${unread}); the next sweep tries again` }
      : {}),
  });
  const asChange: SecurityGroupChange = { ...change, groupId, rules: [], undirectedRules: [] };
  const report: EventReport = {
    ...eventReport(asChange, info, acted.findings, policy),
    tag_change: { ...facts, ...(removal !== undefined ? { unapproved_exception: removal } : {}) },
  };
  return { report, retryable: acted.retryable };
}

/**
 * The violations with the exemptions the event path remembered applied, as the sweep applies
 * them: a tag change names the tagger, not who made each rule. When the table cannot be read,
 * nothing is revoked on a guess (`unread` says why).
 */
async function withRemembered(
  judgements: readonly Judgement[],
  change: TagChange,
  ctx: EngineContext,
): Promise<{ judgements: readonly Judgement[]; unread?: string }> {
  const { state } = ctx;
  const account = change.account;
  const ruleIds = judgements.flatMap((j) => (j.verdict === 'violation' && j.rule.ruleId !== undefined ? [j.rule.ruleId] : []));
  if (state === undefined || account === undefined || ruleIds.length === 0) return { judgements };
  try {
    const found = await state.exemptionsOf(ruleIds.map((ruleId) => ({ account, region: change.region, ruleId })));
    return {
      judgements: honourRemembered(judgements, new Map(found.map((record) => [record.ruleId, record])), ctx.policy, ctx.self).judgements,
    };
  } catch (error) {
    return { judgements, unread: messageOf(error) };
  }
}

async function removeTag(
  groupId: string,
  tag: string,
  value: string,
  base: Omit<UnapprovedExceptionReport, 'action'>,
  ec2: Ec2Port,
  policy: Policy,
): Promise<UnapprovedExceptionReport> {
  if (policy.mode === 'report') return { ...base, action: 'would-remove' };
  try {
    await ec2.deleteTag({ groupId, key: tag, value });
    return { ...base, action: 'removed' };
  } catch (error) {
    if (error instanceof Ec2CallError && !error.retryable) return { ...base, action: 'failed', error: error.message };
    throw error;
  }
}

/** A group whose rules or tags could not be read for good: nothing was judged, and it says why. */
function failedGroupReport(
  change: TagChange,
  groupId: string,
  facts: Omit<TagChangeFacts, 'unapproved_exception'>,
  error: Ec2CallError,
  policy: Policy,
): EventReport {
  const asChange: SecurityGroupChange = { ...change, groupId, rules: [], undirectedRules: [] };
  const findings: Finding[] = [];
  return { ...eventReport(asChange, undefined, findings, policy), tag_change: { ...facts, could_not_judge: error.message } };
}

/** One notification per group; the delivery key is the event id and the group, as one call may tag several. */
async function notifyGroups(
  groups: readonly EventReport[],
  securityHub: SecurityHubPort | undefined,
  ctx: EngineContext,
): Promise<EventReport[]> {
  const out: EventReport[] = [];
  for (const report of groups) {
    out.push(await deliverEventReport(report, () => notifyGroup(report, ctx), securityHub, ctx));
  }
  return out;
}

/** True when this delivery of the group's notification was a duplicate. */
async function notifyGroup(report: EventReport, ctx: EngineContext): Promise<boolean> {
  if (ctx.notifier === undefined || !shouldNotifyTagChange(report, ctx.policy)) return false;
  const key = `${report.event_id}#${report.group_id ?? ''}`;
  const { duplicate } = await publishOnce(key, { ...tagChangeNotificationOf(report), report }, ctx, {
    event_id: report.event_id,
    group_id: report.group_id,
  });
  return duplicate;
}
