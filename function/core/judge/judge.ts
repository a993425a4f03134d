import type { Judgement } from '../model/finding';
import type { PrefixListLookup } from '../model/prefix-list';
import type { Rule } from '../model/rule';
import type { Policy } from '../policy/policy';
import { evaluateRule } from './containment';

/**
 * Judges rules. `exemptReason` (a principal, an excluded group or tag, from `exemptions.ts`)
 * turns violations into `exempt`: they are reported, never touched. `lists` holds the prefix
 * lists read for the rules (`listsToInspect`).
 */
export function judgeRules(rules: readonly Rule[], policy: Policy, exemptReason?: string, lists?: PrefixListLookup): Judgement[] {
  return rules.map((rule) => {
    const evaluation = evaluateRule(rule, policy, lists);
    if (evaluation.allowed) return { rule, verdict: 'allowed', reason: evaluation.reason };
    if (exemptReason !== undefined) return { rule, verdict: 'exempt', reason: `${exemptReason}; ${evaluation.reason}` };
    return { rule, verdict: 'violation', reason: evaluation.reason };
  });
}
