/** What the engine concluded about one rule, and what it did about it. */
import type { Rule } from './rule';

export type Verdict = 'allowed' | 'violation' | 'exempt';

export type FindingAction = 'revoked' | 'restricted' | 'reported' | 'already-removed' | 'failed' | 'none';

export interface Finding {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly action: FindingAction;
  readonly reason: string;
  /** What EC2 said when the action failed, or when a restrict replacement could not be added. */
  readonly error?: string;
}

/** A verdict on one rule before anything is done about it. */
export interface Judgement {
  readonly rule: Rule;
  readonly verdict: Verdict;
  readonly reason: string;
}
