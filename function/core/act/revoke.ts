/**
 * The `revoke` action: revoke exactly the offending rules, one call per group and direction.
 * Rules of an event are revoked by their exact content (`IpPermissions`), so that only a rule
 * that still has the offending content can go; rules just read from EC2 are revoked by id. A
 * rule that is already gone is a success. A batch that fails for a reason one rule can cause
 * is retried rule by rule, so one bad rule does not shield the others; retryable failures are
 * left for the caller to surface once everything else is done.
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError, messageOf } from '../errors';
import type { Judgement } from '../model/finding';
import { ruleKey } from '../model/rule-key';
import type { Direction, Rule } from '../model/rule';
import type { Ec2Port, RevokeResult } from '../ports';
import type { ActionFinding, RemediationAction } from './action';

const ALREADY_GONE_CODES: ReadonlySet<string> = new Set([
  'InvalidPermission.NotFound',
  'InvalidSecurityGroupRuleId.NotFound',
  'InvalidGroup.NotFound',
]);

export interface RevokeBatch {
  readonly direction: Direction;
  readonly groupId?: string;
  readonly groupName?: string;
  /** True: revoke by `SecurityGroupRuleIds`; false: by exact `IpPermissions`. */
  readonly byRuleId: boolean;
  readonly rules: readonly Rule[];
}

export interface RevokePlan {
  readonly batches: readonly RevokeBatch[];
}

export type Failure = { readonly status: 'failed'; readonly error: string; readonly retryable: boolean };

export type RevokeOutcome = { readonly status: 'revoked' } | { readonly status: 'already-removed' } | Failure;

export type RevokeOutcomes = ReadonlyMap<Rule, RevokeOutcome>;

/** Groups the rules into the fewest EC2 calls: one per group, direction and revoke style. */
export function planRevokes(rules: readonly Rule[], revokeByRuleId: (rule: Rule) => boolean = () => false): RevokePlan {
  const batches = new Map<string, { direction: Direction; groupId?: string; groupName?: string; byRuleId: boolean; rules: Rule[] }>();
  for (const rule of rules) {
    const byRuleId = rule.ruleId !== undefined && rule.groupId !== undefined && revokeByRuleId(rule);
    const group = rule.groupId ?? `name:${rule.groupName ?? ''}`;
    const key = `${group}|${rule.direction}|${byRuleId}`;
    let batch = batches.get(key);
    if (batch === undefined) {
      batch = { direction: rule.direction, byRuleId, rules: [] };
      if (rule.groupId !== undefined) batch.groupId = rule.groupId;
      else if (rule.groupName !== undefined) batch.groupName = rule.groupName;
      batches.set(key, batch);
    }
    batch.rules.push(rule);
  }
  return { batches: [...batches.values()] };
}

function callBatch(ec2: Ec2Port, batch: RevokeBatch, rules: readonly Rule[]): Promise<RevokeResult> {
  if (batch.byRuleId) {
    return ec2.revokeRuleIds({
      direction: batch.direction,
      groupId: batch.groupId as string,
      ruleIds: rules.map((r) => r.ruleId as string),
    });
  }
  return ec2.revokePermissions({
    direction: batch.direction,
    ...(batch.groupId !== undefined ? { groupId: batch.groupId } : { groupName: batch.groupName }),
    rules,
  });
}

/** A failed EC2 call as an outcome; shared by revokes and restrict's replacements. */
export function failureOf(error: unknown): Failure {
  if (error instanceof Ec2CallError) return { status: 'failed', error: error.message, retryable: error.retryable };
  // Anything the adapter did not classify (a bug, an unexpected SDK shape) may pass on retry.
  return { status: 'failed', error: messageOf(error), retryable: true };
}

function outcomeOfError(error: unknown): RevokeOutcome {
  if (error instanceof Ec2CallError && ALREADY_GONE_CODES.has(error.code)) return { status: 'already-removed' };
  return failureOf(error);
}

/** Runs the plan; never throws: every rule ends with an outcome. */
export async function executeRevokes(plan: RevokePlan, ec2: Ec2Port): Promise<Map<Rule, RevokeOutcome>> {
  const outcomes = new Map<Rule, RevokeOutcome>();
  for (const batch of plan.batches) {
    const settled = await batchThenEach(batch.rules, (rules) => callBatch(ec2, batch, rules), {
      // Throttling and 5xx fail every rule alike: one by one would only multiply the calls.
      splitOn: (error) => {
        const outcome = outcomeOfError(error);
        return !(outcome.status === 'failed' && outcome.retryable);
      },
    });
    const unknownByResult = new Map<RevokeResult, Set<string>>();
    for (const [rule, result] of settled) {
      if (!result.ok) {
        outcomes.set(rule, outcomeOfError(result.error));
        continue;
      }
      let unknown = unknownByResult.get(result.value);
      if (unknown === undefined) {
        unknown = new Set(result.value.unknownRules.map(ruleKey));
        unknownByResult.set(result.value, unknown);
      }
      outcomes.set(rule, unknown.has(ruleKey(rule)) ? { status: 'already-removed' } : { status: 'revoked' });
    }
  }
  return outcomes;
}

function isRetryableFailure(outcome: { readonly status: string }): outcome is Failure {
  return outcome.status === 'failed' && (outcome as Failure).retryable;
}

/** The errors among outcomes that a retry may fix. */
export function retryableErrors(outcomes: Iterable<{ readonly status: string }>): string[] {
  return [...outcomes].filter(isRetryableFailure).map((outcome) => outcome.error);
}

/** The finding of a violation whose revoke was attempted: its outcome is its action. */
export function revokeFinding(judgement: Judgement, outcome: RevokeOutcome | undefined): ActionFinding {
  if (outcome === undefined) return { ...judgement, action: 'failed', error: 'no remediation was attempted' };
  if (outcome.status === 'failed') return { ...judgement, action: 'failed', error: outcome.error };
  return { ...judgement, action: outcome.status };
}

export const REVOKE: RemediationAction<RevokePlan, RevokeOutcomes> = {
  plan: (violations, _policy, options) => planRevokes(violations, options.revokeByRuleId),
  intent: () => ({ kind: 'revoke' }),
  execute: executeRevokes,
  finding: (judgement, _plan, outcomes) => revokeFinding(judgement, outcomes.get(judgement.rule)),
  retryable: (outcomes) => retryableErrors(outcomes.values()),
};
