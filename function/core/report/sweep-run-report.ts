/**
 * The reports of a scheduled sweep over several accounts and regions: a dispatch (one sweep-queue
 * message per target), or a run of the targets one after another in one invocation. Each target
 * swept has its own SweepReport, logged and notified on its own; these say what was dispatched or
 * swept, and what was not.
 */
import type { SweepCounts } from './report';

export interface TargetReport {
  readonly account: string;
  readonly region: string;
}

export interface TargetFailure extends TargetReport {
  readonly error: string;
  /** Whether a retry could fix it. */
  readonly retryable: boolean;
}

export interface SweepDispatchReport {
  readonly status: 'dispatched';
  readonly kind: 'sweep-dispatch';
  readonly event_id: string | null;
  /** Sweep jobs sent, one per account and region. */
  readonly targets: number;
  /** Jobs that could not be sent. */
  readonly failed: readonly (TargetReport & { readonly error: string })[];
}

export interface SweepRunReport {
  readonly status: 'processed';
  readonly kind: 'sweep-run';
  readonly event_id: string | null;
  readonly targets: number;
  /** One per target swept, in order: its counts (its own report has the findings). */
  readonly swept: readonly (TargetReport & { readonly counts: SweepCounts; readonly incomplete: boolean; readonly errors: number })[];
  /** Targets not started: the invocation ran out of time. */
  readonly not_reached: readonly (TargetReport & { readonly reason: string })[];
  /** Targets whose sweep failed as a whole (nothing could be examined there). */
  readonly failed: readonly TargetFailure[];
}
