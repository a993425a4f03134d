/**
 * The decision and the action for one security-group change: judge every rule against the
 * policy, revoke the violations (enforce mode), report, notify. Pure orchestration over ports:
 * the clock, AWS and the environment come in through `EngineContext`.
 */
import type { SecurityGroupChange, UndirectedRule } from './event/change';
import { Ec2CallError, NotificationError, RetryableRemediationError } from './errors';
import { exemptionFor, groupExemption } from './judge/exemptions';
import { judgeRules } from './judge/judge';
import type { Finding, Judgement } from './model/finding';
import type { Rule } from './model/rule';
import { notificationOf } from './notification';
import type { Policy } from './policy/policy';
import type { Ec2Port, GroupInfo, LogSink, NotifierPort } from './ports';
import { executeRevokes, planRevokes, type RevokeOutcome } from './remediate';
import { applyRestrict, restrictFinding, type RemediateOptions, type RestrictResult } from './restrict';
import { findingReport, principalReport, worstVerdict, type EventReport } from './report';

export type { RemediateOptions } from './restrict';

export interface EngineContext {
  readonly policy: Policy;
  /** EC2 for a region: calls go to the region of the event, whatever region the function runs in. */
  readonly ec2: (region: string) => Ec2Port;
  readonly notifier?: NotifierPort;
  readonly selfRoleArn?: string;
  readonly log: LogSink;
  readonly now: () => Date;
}

function findingOf(judgement: Judgement, outcome: RevokeOutcome | undefined, mode: Policy['mode'], restrict?: RestrictResult): Finding {
  const base = { rule: judgement.rule, verdict: judgement.verdict, reason: judgement.reason };
  if (judgement.verdict !== 'violation') return { ...base, action: 'none' };
  if (restrict !== undefined) return restrictFinding(base, outcome, mode, restrict);
  if (mode === 'report') return { ...base, action: 'reported', reason: `would revoke: ${judgement.reason}` };
  if (outcome === undefined) return { ...base, action: 'failed', error: 'no remediation was attempted' };
  if (outcome.status === 'failed') return { ...base, action: 'failed', error: outcome.error };
  return { ...base, action: outcome.status };
}

/**
 * Acts on judgements per the policy's mode and action: in `report` mode nothing mutating is
 * called; with `restrict`, each revoked CIDR violation is replaced from `restrict_to`.
 * Returns the findings and whether a retry could fix a failure.
 */
export async function remediate(
  judgements: readonly Judgement[],
  policy: Policy,
  ec2: Ec2Port,
  options: RemediateOptions = {},
): Promise<{ findings: Finding[]; retryable: string[] }> {
  const violations = judgements.filter((j) => j.verdict === 'violation').map((j) => j.rule);
  let outcomes = new Map<Rule, RevokeOutcome>();
  if (policy.mode === 'enforce' && violations.length > 0) {
    outcomes = await executeRevokes(planRevokes(violations), ec2);
  }
  const retryable = [...outcomes.values()].flatMap((o) => (o.status === 'failed' && o.retryable ? [o.error] : []));

  let restrict: RestrictResult | undefined;
  if (policy.action === 'restrict' && violations.length > 0) {
    restrict = await applyRestrict(violations, outcomes, policy, ec2, options);
    retryable.push(...restrict.retryable);
  }
  return { findings: judgements.map((j) => findingOf(j, outcomes.get(j.rule), policy.mode, restrict)), retryable };
}

/**
 * ModifySecurityGroupRules does not say the direction: ask EC2 for the rules, and judge them as
 * they are now (a later change may already have narrowed or removed them).
 */
async function resolveDirections(
  undirected: readonly UndirectedRule[],
  ec2: Ec2Port,
): Promise<{ rules: Rule[]; gone: UndirectedRule[] }> {
  if (undirected.length === 0) return { rules: [], gone: [] };
  const byId = new Map<string, Rule>();
  const describe = async (ruleIds: readonly string[]) => {
    const page = await ec2.describeRules({ ruleIds });
    for (const rule of page.rules) if (rule.ruleId !== undefined) byId.set(rule.ruleId, rule);
  };
  const ids = undirected.map((r) => r.ruleId);
  try {
    await describe(ids);
  } catch (error) {
    if (!(error instanceof Ec2CallError) || error.code !== 'InvalidSecurityGroupRuleId.NotFound') throw error;
    // One unknown id fails the whole call; ask for each so the others are still found.
    for (const id of ids) {
      try {
        await describe([id]);
      } catch (inner) {
        if (!(inner instanceof Ec2CallError) || inner.code !== 'InvalidSecurityGroupRuleId.NotFound') throw inner;
      }
    }
  }
  const rules: Rule[] = [];
  const gone: UndirectedRule[] = [];
  for (const rule of undirected) {
    const current = byId.get(rule.ruleId);
    if (current === undefined) gone.push(rule);
    // What EC2 holds now is what is enforced: it also covers a request that left fields out.
    else rules.push({ ...current, groupId: current.groupId ?? rule.groupId, ruleId: rule.ruleId });
  }
  return { rules, gone };
}

async function describeGroupIfNeeded(change: SecurityGroupChange, policy: Policy, ec2: Ec2Port): Promise<GroupInfo | undefined> {
  if (Object.keys(policy.excludeTags).length === 0 || change.groupId === undefined) return undefined;
  const groups = await ec2.describeGroups([change.groupId]);
  return groups[0];
}

function retryableEc2(error: unknown): boolean {
  return !(error instanceof Ec2CallError) || error.retryable;
}

/**
 * Handles one change end to end. Throws `RetryableRemediationError` when a retry could finish
 * the job, and `NotificationError` when SNS failed after remediation; in both cases the report
 * has been logged first, and a revoke that succeeded stays done.
 */
export async function processChange(change: SecurityGroupChange, ctx: EngineContext): Promise<EventReport> {
  const { policy } = ctx;
  const ec2 = ctx.ec2(change.region);
  const findings: Finding[] = [];
  const retryable: string[] = [];

  let rules: Rule[] = [...change.rules];
  let group: GroupInfo | undefined;
  try {
    const resolved = await resolveDirections(change.undirectedRules, ec2);
    rules = rules.concat(resolved.rules);
    for (const rule of resolved.gone) {
      // Judged as ingress, the stricter reading; the rule no longer exists either way.
      const [judged] = judgeRules([{ ...rule, direction: 'ingress' }], policy);
      if (judged) findings.push({ ...judged, action: 'already-removed', reason: `rule no longer exists; ${judged.reason}` });
    }
    group = await describeGroupIfNeeded(change, policy, ec2);
  } catch (error) {
    if (retryableEc2(error)) {
      throw new RetryableRemediationError(`looking up ${change.groupId ?? 'the group'} failed: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }

  const exemptReason = groupExemption(policy, change.groupId, group?.tags) ?? exemptionFor(policy, change.principal, ctx.selfRoleArn);

  const judgements = judgeRules(rules, policy, exemptReason);
  const acted = await remediate(judgements, policy, ec2, { principal: change.principal, now: ctx.now() });
  findings.push(...acted.findings);
  retryable.push(...acted.retryable);

  const report: EventReport = {
    status: 'processed',
    kind: 'event',
    event_id: change.eventId,
    event_name: change.eventName,
    event_time: change.eventTime ?? null,
    account: change.account ?? null,
    region: change.region,
    group_id: change.groupId ?? null,
    group_name: group?.groupName ?? change.groupName ?? null,
    vpc_id: group?.vpcId ?? null,
    principal: change.principal.arn ?? null,
    principal_details: principalReport(change.principal),
    mode: policy.mode,
    policy_action: policy.action,
    verdict: worstVerdict(findings),
    findings: findings.map(findingReport),
  };
  ctx.log({ level: retryable.length > 0 ? 'error' : 'info', message: 'sg-sentry event', ...report });

  if (retryable.length > 0) {
    throw new RetryableRemediationError(`remediation incomplete, a retry may finish it: ${retryable.join('; ')}`);
  }
  await notifyIfNeeded(report, ctx);
  return report;
}

export function shouldNotify(report: Pick<EventReport, 'verdict' | 'findings'>, policy: Policy): boolean {
  if (report.findings.length === 0) return false;
  return report.verdict !== 'allowed' || policy.notifyAllowed;
}

async function notifyIfNeeded(report: EventReport, ctx: EngineContext): Promise<void> {
  if (ctx.notifier === undefined || !shouldNotify(report, ctx.policy)) return;
  try {
    await ctx.notifier.publish({ ...notificationOf(report), report });
  } catch (error) {
    ctx.log({ level: 'error', message: 'notification failed; remediation stands', event_id: report.event_id, error: String(error) });
    throw new NotificationError(`publishing the report for ${report.event_id} failed`, { cause: error });
  }
}
