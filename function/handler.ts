/**
 * The Lambda handler: parse, dispatch, log. It never lets malformed input throw (that would
 * only buy retries of the same bad event); it does throw when a retry can finish remediation.
 */
import type { EngineContext } from './core/ports';
import { processChange } from './core/engine';
import { EventValidationError } from './core/errors';
import { parseEvent } from './core/event/parse-event';
import type { EventReport, SkippedReport, SweepReport } from './core/report';
import { processSweep } from './core/sweep';

export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
}

export type HandlerResult = EventReport | SweepReport | SkippedReport;

export function createHandler(ctx: EngineContext) {
  function invalid(event: unknown, error: EventValidationError): SkippedReport {
    const report: SkippedReport = {
      status: 'invalid',
      event_id: idOf(event),
      event_name: nameOf(event),
      reason: error.message,
      problems: error.problems,
      findings: [],
    };
    ctx.log({ level: 'warn', message: 'sg-sentry validation error', ...report });
    return report;
  }

  return async function handler(event: unknown, context?: LambdaContextLike): Promise<HandlerResult> {
    let parsed;
    try {
      parsed = parseEvent(event);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      return invalid(event, error);
    }
    switch (parsed.kind) {
      case 'ignored': {
        const report: SkippedReport = {
          status: 'ignored',
          event_id: parsed.eventId ?? idOf(event),
          event_name: parsed.eventName ?? nameOf(event),
          reason: parsed.reason,
          findings: [],
        };
        ctx.log({ level: 'info', message: 'sg-sentry ignored event', ...report });
        return report;
      }
      case 'sweep': {
        const remaining = context?.getRemainingTimeInMillis;
        try {
          return await processSweep(parsed.sweep, ctx, remaining ? { remainingMs: () => remaining.call(context) } : {});
        } catch (error) {
          // Only a scheduled event without a region gets here; retrying it would not help.
          if (error instanceof EventValidationError) return invalid(event, error);
          throw error;
        }
      }
      case 'change':
        return processChange(parsed.change, ctx);
    }
  };
}

function pick(event: unknown, keys: readonly string[]): string | null {
  let value: unknown = event;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value.slice(0, 200) : null;
}

function idOf(event: unknown): string | null {
  return pick(event, ['detail', 'eventID']) ?? pick(event, ['eventID']) ?? pick(event, ['id']);
}

function nameOf(event: unknown): string | null {
  return pick(event, ['detail', 'eventName']) ?? pick(event, ['eventName']);
}
