/**
 * ModifySecurityGroupRules does not say whether a rule is ingress or egress: ask EC2 for the
 * rules, and judge them as they are now (a later change may already have narrowed or removed
 * them, and what EC2 holds also covers a request that left fields out).
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError } from '../errors';
import type { UndirectedRule } from '../event/change';
import type { Rule } from '../model/rule';
import type { Ec2Port, UnreadableRule } from '../ports';

const RULE_NOT_FOUND = 'InvalidSecurityGroupRuleId.NotFound';

function isRuleNotFound(error: unknown): boolean {
  return error instanceof Ec2CallError && error.code === RULE_NOT_FOUND;
}

/**
 * The rules as EC2 holds them now, those it no longer has, and those it still has but sg-sentry
 * cannot read (an unknown protocol or source kind): those are not gone, they cannot be judged.
 * Other EC2 failures throw.
 */
export async function currentRules(
  undirected: readonly UndirectedRule[],
  ec2: Ec2Port,
): Promise<{ rules: Rule[]; gone: UndirectedRule[]; unreadable: UnreadableRule[] }> {
  if (undirected.length === 0) return { rules: [], gone: [], unreadable: [] };
  const byId = new Map<string, Rule>();
  const unreadableById = new Map<string, UnreadableRule>();
  // One unknown id fails the whole call; then each is asked for, so the others are still found.
  const settled = await batchThenEach(
    undirected.map((r) => r.ruleId),
    (ruleIds) => ec2.describeRules({ ruleIds }),
    {
      splitOn: isRuleNotFound,
      rethrow: (error) => !isRuleNotFound(error),
    },
  );
  for (const result of settled.values()) {
    if (!result.ok) continue;
    for (const rule of result.value.rules) if (rule.ruleId !== undefined) byId.set(rule.ruleId, rule);
    for (const rule of result.value.unreadable ?? []) if (rule.ruleId !== undefined) unreadableById.set(rule.ruleId, rule);
  }
  const rules: Rule[] = [];
  const gone: UndirectedRule[] = [];
  const unreadable: UnreadableRule[] = [];
  for (const rule of undirected) {
    const current = byId.get(rule.ruleId);
    const unread = unreadableById.get(rule.ruleId);
    if (current !== undefined) rules.push({ ...current, groupId: current.groupId ?? rule.groupId, ruleId: rule.ruleId });
    else if (unread !== undefined) unreadable.push({ ...unread, groupId: unread.groupId ?? rule.groupId });
    else gone.push(rule);
  }
  return { rules, gone, unreadable };
}
