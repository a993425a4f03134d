import type { Judgement } from '../model/finding';
import type { Rule } from '../model/rule';
import type { Policy } from '../policy/policy';
import { evaluateRule } from './containment';

/**
 * Judges rules. `exemptReason` (a principal, an excluded group or tag, from `exemptions.ts`)
 * turns violations into `exempt`: they are reported, never touched.
 */
export function judgeRules(rules: readonly Rule[], policy: Policy, exemptReason?: string): Judgement[] {
  return rules.map((rule) => {
    const evaluation = evaluateRule(rule, policy);
    if (evaluation.allowed) return { rule, verdict: 'allowed', reason: evaluation.reason };
    if (exemptReason !== undefined) return { rule, verdict: 'exempt', reason: `${exemptReason}; ${evaluation.reason}` };
    return { rule, verdict: 'violation', reason: evaluation.reason };
  });
}
