/** What the engine concluded about one rule, and what it did about it. */
import type { Rule } from './rule';

export type Verdict = 'allowed' | 'violation' | 'exempt';

export type FindingAction = 'revoked' | 'restricted' | 'reported' | 'already-removed' | 'failed' | 'none';

/**
 * What the policy's action means for a violation, decided before anything is done: revoke it,
 * or revoke it and allow the same traffic from the `restrict_to` CIDRs instead.
 */
export type PlannedAction =
  | { readonly kind: 'revoke' /** Why restrict falls back to revoking. */; readonly notRestricted?: string }
  | { readonly kind: 'restrict'; readonly to: readonly string[] };

export interface Finding {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly action: FindingAction;
  /** What was done and why, as the report says it: `would revoke: tcp/22 from 0.0.0.0/0 is not covered …`. */
  readonly reason: string;
  /** Why the verdict alone, as the judge gave it: `tcp/22 from 0.0.0.0/0 is not covered …`. */
  readonly verdictReason: string;
  /** What EC2 said when the action failed, or when a restrict replacement could not be added. */
  readonly error?: string;
  /** Violations only: what the action decided for the rule, in every mode. */
  readonly planned?: PlannedAction;
  /**
   * Set when the finding is about an entry of this prefix list, the source of `rule` (a list
   * change): `rule` names the entry's CIDR, and the action was taken on the entry, not the rule.
   */
  readonly prefixListId?: string;
}

/** A verdict on one rule before anything is done about it. */
export interface Judgement {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly reason: string;
}
