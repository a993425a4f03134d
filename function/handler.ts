/**
 * The Lambda handler: parse, dispatch, log. It never lets malformed input throw (that would
 * only buy retries of the same bad event); it does throw when a retry can finish remediation.
 */
import { processChange, unreachableAccount } from './core/engine';
import { processTagChange } from './core/tag-change';
import { EventValidationError } from './core/errors';
import { parseEvent } from './core/event/parse-event';
import type { EngineContext } from './core/ports';
import type { EventReport, SkippedReport, SweepReport, TagChangeReport } from './core/report/report';
import { skippedReport } from './core/report/skipped-report';
import type { SweepDispatchReport, SweepRunReport } from './core/report/sweep-run-report';
import { processPrefixListChange } from './core/prefix-list-change';
import { processScheduledSweep, processSweepJobs, type SweepJobsResult } from './core/sweep-fan-out';
import { processUnreadable } from './core/fail-safe';

export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
  /** Names the function's own account (and partition). */
  invokedFunctionArn?: string;
}

/** The engine's context, and what the adapters learn from each invocation (the own account). */
export interface FunctionContext extends EngineContext {
  readonly bindInvocation?: (context: LambdaContextLike) => void;
}

export type HandlerResult =
  | EventReport
  | SweepReport
  | SweepRunReport
  | SweepDispatchReport
  | SweepJobsResult
  | TagChangeReport
  | SkippedReport;

function timeBudget(context: LambdaContextLike | undefined): { remainingMs?: () => number } {
  const remaining = context?.getRemainingTimeInMillis;
  return remaining ? { remainingMs: () => remaining.call(context) } : {};
}

export function createHandler(ctx: FunctionContext) {
  function invalid(event: unknown, error: EventValidationError): SkippedReport {
    const report = skippedReport('invalid', event, error.message, { problems: error.problems });
    ctx.log({ level: 'warn', message: 'sg-sentry validation error', ...report });
    return report;
  }

  return async function handler(event: unknown, context?: LambdaContextLike): Promise<HandlerResult> {
    if (context !== undefined) ctx.bindInvocation?.(context);
    let parsed;
    try {
      parsed = parseEvent(event);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      return invalid(event, error);
    }
    switch (parsed.kind) {
      case 'ignored': {
        const report = skippedReport('ignored', event, parsed.reason, { eventId: parsed.eventId, eventName: parsed.eventName });
        ctx.log({ level: 'info', message: 'sg-sentry ignored event', ...report });
        return report;
      }
      case 'sweep': {
        try {
          return await processScheduledSweep(parsed.sweep, ctx, timeBudget(context));
        } catch (error) {
          // Only a scheduled event without a region (or account) gets here; retrying it would not help.
          if (error instanceof EventValidationError) return invalid(event, error);
          throw error;
        }
      }
      case 'sweep-jobs':
        return processSweepJobs(parsed.records, ctx, timeBudget(context));
      case 'change':
        return unreachableAccount(parsed.change, ctx) ?? (await processChange(parsed.change, ctx)).report;
      case 'unreadable':
        return processUnreadable(parsed.unreadable, ctx);
      case 'tag-change':
        return unreachableAccount(parsed.change, ctx) ?? (await processTagChange(parsed.change, ctx));
      case 'prefix-list-change':
        return unreachableAccount(parsed.change, ctx) ?? (await processPrefixListChange(parsed.change, ctx)).report;
    }
  };
}
