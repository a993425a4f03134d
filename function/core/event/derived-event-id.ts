/**
 * An id for a record that has no `eventID`. Real CloudTrail records always carry one, but copies
 * that people paste or publish are sometimes abridged (the one public ModifyManagedPrefixList
 * sample has none). The id is a hash of the record's content with its keys in a fixed order, so
 * every delivery of the same record gets the same id (one notification per event still holds),
 * and it says that it was derived.
 */
import { createHash } from 'node:crypto';

export const DERIVED_EVENT_ID_PREFIX = 'derived-';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  // JSON has no BigInt, and JSON.stringify throws on one: an event handed over as a JavaScript
  // value (a direct invoke, a test) may still hold it, and must be rejected or judged, never crash.
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? 'null';
}

/** `derived-` and 32 hex digits of the SHA-256 of the record. */
export function derivedEventId(record: unknown): string {
  return `${DERIVED_EVENT_ID_PREFIX}${createHash('sha256').update(canonical(record)).digest('hex').slice(0, 32)}`;
}
