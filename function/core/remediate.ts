/**
 * Revokes exactly the offending rules. Rules with ids are revoked by id, one call per group and
 * direction; rules without ids by their exact permission. A rule that is already gone is a
 * success. A batch that fails permanently is retried rule by rule, so one bad id does not
 * shield the others. Retryable failures are collected and surfaced once everything else is done.
 */
import { Ec2CallError } from './errors';
import type { Direction, Rule } from './model/rule';
import type { Ec2Port, RevokeResult } from './ports';
import { ruleKey } from './model/rule-key';

export const ALREADY_GONE_CODES: ReadonlySet<string> = new Set([
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

export type RevokeOutcome =
  | { readonly status: 'revoked' }
  | { readonly status: 'already-removed' }
  | { readonly status: 'failed'; readonly error: string; readonly retryable: boolean };

/** Groups the rules into the fewest EC2 calls: one per group, direction and revoke style. */
export function planRevokes(rules: readonly Rule[]): RevokePlan {
  const batches = new Map<string, { direction: Direction; groupId?: string; groupName?: string; byRuleId: boolean; rules: Rule[] }>();
  for (const rule of rules) {
    const byRuleId = rule.ruleId !== undefined && rule.groupId !== undefined;
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

async function callBatch(ec2: Ec2Port, batch: RevokeBatch): Promise<RevokeResult> {
  if (batch.byRuleId) {
    return ec2.revokeRuleIds({
      direction: batch.direction,
      groupId: batch.groupId as string,
      ruleIds: batch.rules.map((r) => r.ruleId as string),
    });
  }
  return ec2.revokePermissions({
    direction: batch.direction,
    ...(batch.groupId !== undefined ? { groupId: batch.groupId } : { groupName: batch.groupName }),
    rules: batch.rules,
  });
}

/** A failed EC2 call as an outcome; shared by revokes and restrict's replacements. */
export function failureOf(error: unknown): { readonly status: 'failed'; readonly error: string; readonly retryable: boolean } {
  if (error instanceof Ec2CallError) return { status: 'failed', error: error.message, retryable: error.retryable };
  // Anything the adapter did not classify (a bug, an unexpected SDK shape) may pass on retry.
  return { status: 'failed', error: error instanceof Error ? error.message : String(error), retryable: true };
}

function outcomeOfError(error: unknown): RevokeOutcome {
  if (error instanceof Ec2CallError && ALREADY_GONE_CODES.has(error.code)) return { status: 'already-removed' };
  return failureOf(error);
}

function outcomesOfResult(batch: RevokeBatch, result: RevokeResult, outcomes: Map<Rule, RevokeOutcome>): void {
  const unknown = new Set(result.unknownRules.map(ruleKey));
  for (const rule of batch.rules) {
    outcomes.set(rule, unknown.has(ruleKey(rule)) ? { status: 'already-removed' } : { status: 'revoked' });
  }
}

/** Runs the plan; never throws: every rule ends with an outcome. */
export async function executeRevokes(plan: RevokePlan, ec2: Ec2Port): Promise<Map<Rule, RevokeOutcome>> {
  const outcomes = new Map<Rule, RevokeOutcome>();
  for (const batch of plan.batches) {
    try {
      outcomesOfResult(batch, await callBatch(ec2, batch), outcomes);
      continue;
    } catch (error) {
      const outcome = outcomeOfError(error);
      if (batch.rules.length === 1 || (outcome.status === 'failed' && outcome.retryable)) {
        for (const rule of batch.rules) outcomes.set(rule, outcome);
        continue;
      }
    }
    for (const rule of batch.rules) {
      const single: RevokeBatch = { ...batch, rules: [rule] };
      try {
        outcomesOfResult(single, await callBatch(ec2, single), outcomes);
      } catch (error) {
        outcomes.set(rule, outcomeOfError(error));
      }
    }
  }
  return outcomes;
}
