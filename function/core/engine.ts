/**
 * The decision and the action for one security-group change: judge every rule against the
 * policy, revoke the violations (enforce mode), report, notify. Pure orchestration over ports:
 * the clock, AWS and the environment come in through `EngineContext`.
 */
import { act, alreadyRemoved } from './act/act';
import type { SecurityGroupChange } from './event/change';
import { Ec2CallError, NotificationError, RetryableRemediationError } from './errors';
import { exemptionFor, groupExemption } from './judge/exemptions';
import { judgeRules } from './judge/judge';
import { currentRules } from './lookup/current-rules';
import { groupOfChange } from './lookup/groups';
import type { Finding } from './model/finding';
import type { Rule } from './model/rule';
import { notificationOf } from './notification';
import type { Policy } from './policy/policy';
import type { EngineContext, GroupInfo } from './ports';
import { findingReport, principalReport, worstVerdict, type EventReport } from './report';

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
    const current = await currentRules(change.undirectedRules, ec2);
    rules = rules.concat(current.rules);
    // Judged as ingress, the stricter reading; the rule no longer exists either way.
    findings.push(...judgeRules(current.gone.map((rule) => ({ ...rule, direction: 'ingress' as const })), policy).map(alreadyRemoved));
    group = await groupOfChange(change.groupId, policy, ec2);
  } catch (error) {
    if (retryableEc2(error)) {
      throw new RetryableRemediationError(`looking up ${change.groupId ?? 'the group'} failed: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }

  const exemptReason = groupExemption(policy, change.groupId, group?.tags) ?? exemptionFor(policy, change.principal, ctx.selfRoleArn);

  const judgements = judgeRules(rules, policy, exemptReason);
  const acted = await act(judgements, policy, ec2, { principal: change.principal, now: ctx.now() });
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
