/**
 * Time-boxed exceptions: a group tagged `<exception_tag>` = a UTC time or a date is exempt until
 * then. The tag is read with the group's other tags; this file only decides what a value means
 * at a given moment (the engine's clock), so the event path and the sweep agree.
 *
 * Why by hand: the two accepted spellings are narrow on purpose (UTC only, calendar-checked), and
 * `Date.parse` accepts far more (local times, `2026-02-30`, RFC 2822), which would let a typo
 * silently move an exception's end.
 */
import type { Judgement } from '../model/finding';
import type { Policy } from '../policy/policy';

const DAY_MS = 86_400_000;

/** `2026-12-31T18:00:00Z`, fractions of a second allowed, `+00:00` as a spelling of UTC. */
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]00:?00)$/;
/** An RFC 3339 time with an offset other than UTC: refused with its own reason. */
const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:?\d{2}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type ExceptionState =
  /** The group's violations are exempt until `until`. */
  | 'active'
  /** The end has passed: enforced. */
  | 'expired'
  /** The value does not parse, or lies beyond `max_exception_days`: enforced. */
  | 'ignored';

export interface TimeBoxedException {
  readonly state: ExceptionState;
  readonly tag: string;
  /** The tag's value as written. */
  readonly value: string;
  /** The end, ISO 8601 UTC; absent when the value did not parse. */
  readonly until?: string;
  /**
   * Active: the exempt reason, `exception until <time> (tag <key>)`. Otherwise why the tag does
   * not exempt, added to each violation's reason.
   */
  readonly reason: string;
}

/** The last instant a value stands for (a date: the end of that day, UTC), or why it is not one. */
export function exceptionEnd(value: string): { readonly end: Date; readonly text: string } | { readonly problem: string } {
  const text = value.trim();
  const date = DATE.exec(text);
  if (date) {
    const [, y, m, d] = date;
    const start = calendarInstant(Number(y), Number(m), Number(d), 0, 0, 0);
    if (start === undefined) return { problem: `"${clip(value)}" is not a calendar date` };
    const end = new Date(start + DAY_MS - 1);
    return { end, text: `${text}T23:59:59Z` };
  }
  const time = UTC_TIME.exec(text);
  if (time) {
    const [, y, m, d, hh, mm, ss, fraction] = time;
    const instant = calendarInstant(Number(y), Number(m), Number(d), Number(hh), Number(mm), Number(ss));
    if (instant === undefined) return { problem: `"${clip(value)}" is not a valid time` };
    const ms = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
    const end = new Date(instant + ms);
    return { end, text: utcText(end) };
  }
  if (OFFSET_TIME.test(text)) return { problem: `"${clip(value)}" is not in UTC (write it with Z, e.g. 2026-12-31T18:00:00Z)` };
  return { problem: `"${clip(value)}" is neither a UTC time (2026-12-31T18:00:00Z) nor a date (2026-12-31)` };
}

/** Milliseconds since the epoch, or undefined when a field is out of range (Feb 30, hour 24, a leap second). */
function calendarInstant(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute, second, 0);
  return instant.getUTCMonth() === month - 1 && instant.getUTCDate() === day ? instant.getTime() : undefined;
}

/** A tag value comes from whoever tagged the group: bounded before it goes into a reason. */
function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/** `2026-12-31T18:00:00Z`: seconds, no fraction unless there is one. */
function utcText(instant: Date): string {
  return instant.toISOString().replace('.000Z', 'Z');
}

/**
 * What the group's exception tag means at `now`; undefined when exceptions are off or the group
 * has no such tag (nothing to say).
 */
export function exceptionOf(
  policy: Pick<Policy, 'exceptionTag' | 'maxExceptionDays'>,
  tags: Readonly<Record<string, string>> | undefined,
  now: Date,
): TimeBoxedException | undefined {
  const tag = policy.exceptionTag;
  if (tag === null || tags === undefined || !Object.hasOwn(tags, tag)) return undefined;
  const value = tags[tag] ?? '';
  const parsed = exceptionEnd(value);
  if ('problem' in parsed) return { state: 'ignored', tag, value, reason: `tag ${tag} ignored: ${parsed.problem}` };
  const until = parsed.text;
  if (parsed.end.getTime() - now.getTime() > policy.maxExceptionDays * DAY_MS) {
    return {
      state: 'ignored',
      tag,
      value,
      until,
      reason: `tag ${tag} ignored: ${until} is more than max_exception_days (${policy.maxExceptionDays}) ahead`,
    };
  }
  if (parsed.end.getTime() < now.getTime())
    return { state: 'expired', tag, value, until, reason: `exception expired at ${until} (tag ${tag})` };
  return { state: 'active', tag, value, until, reason: `exception until ${until} (tag ${tag})` };
}

/**
 * The judgements with the exception applied: an active one makes violations exempt; an expired
 * or ignored one leaves them violations and says why the tag did not exempt them.
 */
export function withException(judgements: readonly Judgement[], exception: TimeBoxedException | undefined): Judgement[] {
  if (exception === undefined) return [...judgements];
  return judgements.map((judgement) => {
    if (judgement.verdict !== 'violation') return judgement;
    if (exception.state === 'active') return { ...judgement, verdict: 'exempt', reason: `${exception.reason}; ${judgement.reason}` };
    return { ...judgement, reason: `${judgement.reason}; ${exception.reason}` };
  });
}
