/**
 * Findings for a change whose reads before judging failed (the group's tags, a modified rule's
 * current content). Nothing is revoked on a guess: without the tags an excluded group cannot be
 * told from another, and without the rule's direction there is nothing to revoke by. A group
 * that no longer exists took its rules with it, so they are "already removed".
 */
import { Ec2CallError, messageOf } from '../errors';
import type { Finding, Judgement } from '../model/finding';

const GROUP_NOT_FOUND = 'InvalidGroup.NotFound';

export interface LookupFailure {
  readonly findings: Finding[];
  /** Whether a retry of the whole event may get past the failure (throttling, 5xx, network). */
  readonly retryable: boolean;
}

export function isGroupNotFound(error: unknown): boolean {
  return error instanceof Ec2CallError && error.code === GROUP_NOT_FOUND;
}

/** What became of each judged rule when `error` stopped the reads that come before acting. */
export function findingsWhenLookupFailed(judgements: readonly Judgement[], groupId: string | undefined, error: unknown): LookupFailure {
  if (isGroupNotFound(error)) {
    const gone = `${groupId === undefined ? 'the group' : `the group ${groupId}`} no longer exists (deleted before the event was processed), so neither does the rule`;
    return {
      findings: judgements.map((j) => ({ ...j, action: 'already-removed', reason: `${gone}; ${j.reason}`, verdictReason: j.reason })),
      retryable: false,
    };
  }
  const retryable = !(error instanceof Ec2CallError) || error.retryable;
  const why = `reading ${groupId ?? 'the group'} before acting failed (${messageOf(error)}); nothing was revoked`;
  return {
    findings: judgements.map((j): Finding => {
      const base = { ...j, verdictReason: j.reason };
      return j.verdict === 'violation' ? { ...base, action: 'failed', error: why } : { ...base, action: 'none' };
    }),
    retryable,
  };
}
