import type { SkippedReport } from './report';
import { boundedProblems, boundedText } from './text';

function pick(input: unknown, keys: readonly string[]): string | null {
  let value: unknown = input;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value.slice(0, 200) : null;
}

/**
 * The report of an input that was not judged: ignored (not ours, a failed call) or invalid.
 * The event id and name are what the parser read, else whatever the raw input holds where an
 * envelope or a CloudTrail record keeps them, so that even an invalid event can be found again.
 */
export function skippedReport(
  status: SkippedReport['status'],
  input: unknown,
  reason: string,
  known: { readonly eventId?: string; readonly eventName?: string; readonly problems?: readonly string[] } = {},
): SkippedReport {
  return {
    status,
    event_id: boundedText(known.eventId) ?? pick(input, ['detail', 'eventID']) ?? pick(input, ['eventID']) ?? pick(input, ['id']),
    event_name: known.eventName ?? pick(input, ['detail', 'eventName']) ?? pick(input, ['eventName']),
    reason: boundedText(reason, 8192),
    ...(known.problems !== undefined ? { problems: boundedProblems(known.problems) } : {}),
    findings: [],
  };
}
