/**
 * Text that came from an event or from AWS (descriptions, user agents, group names) is data,
 * never markup: these helpers make it safe to put in a subject, an email, a terminal line.
 */

/** Replaces characters that could forge lines or reorder text with a visible escape. */
export function plainText(value: string | null | undefined, limit = 300): string {
  if (value === null || value === undefined) return '-';
  const escaped = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > limit ? `${escaped.slice(0, limit - 1)}…` : escaped;
}

const SUBJECT_LIMIT = 100;

/** SNS subjects must be printable ASCII without line breaks, and at most 100 characters. */
export function subjectText(value: string): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > SUBJECT_LIMIT ? `${ascii.slice(0, SUBJECT_LIMIT - 3)}...` : ascii;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The console of the region's partition (links in the email and Slack). */
export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `${region}.console.amazonaws-us-gov.com`;
  return `${region}.console.aws.amazon.com`;
}
