/** What the engine concluded about one rule, and what it did about it. */
import type { Rule } from './rule';

export type Verdict = 'allowed' | 'violation' | 'exempt';

export type FindingAction = 'revoked' | 'restricted' | 'reported' | 'already-removed' | 'failed' | 'none';

/**
 * What the policy's action means for a violation, decided before anything is done: revoke it,
 * or revoke it and allow the same traffic from the `restrict_to` CIDRs instead.
 */
export type PlannedAction =
  | { readonly kind: 'revoke'; /** Why restrict falls back to revoking. */ readonly notRestricted?: string }
  | { readonly kind: 'restrict'; readonly to: readonly string[] };

export interface Finding {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly action: FindingAction;
  readonly reason: string;
  /** What EC2 said when the action failed, or when a restrict replacement could not be added. */
  readonly error?: string;
  /** Violations only: what the action decided for the rule, in every mode. */
  readonly planned?: PlannedAction;
}

/** A verdict on one rule before anything is done about it. */
export interface Judgement {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly reason: string;
}
