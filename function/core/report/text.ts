/**
 * Text that came from an event or from AWS (descriptions, user agents, group names) is data,
 * never markup: these helpers make it safe to put in a subject, an email, a terminal line.
 */

/**
 * Characters that could forge lines, reorder text or hide in it: C0 and C1 controls, line and
 * paragraph separators, the bidirectional embeddings, overrides and isolates, the Arabic letter
 * mark, and the zero-width and invisible ones (U+200B–U+200F, U+2060–U+2064, U+FEFF).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Replaces characters that could forge lines, reorder or hide text with a visible escape. */
export function plainText(value: string | null | undefined, limit = 300): string {
  if (value === null || value === undefined) return '-';
  const escaped = value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > limit ? `${escaped.slice(0, limit - 1)}…` : escaped;
}

/**
 * URLs written so that no mail client turns them into links: `hxxps://evil[.]example/login`.
 * Applied to text from the event only; sg-sentry's own console links stay clickable.
 */
export function defangUrls(value: string): string {
  return value.replace(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#]*)/gi, (_, scheme: string, host: string) => {
    const web = /^https?$/i.test(scheme);
    const shown = web ? `hxxp${scheme.length === 5 ? 's' : ''}://` : `${scheme}[:]//`;
    return `${shown}${host.replace(/\./g, '[.]')}`;
  });
}

/** Event text as the email shows it: escaped, bounded, its URLs defanged. */
export function emailText(value: string | null | undefined, limit = 300): string {
  return defangUrls(plainText(value, limit));
}

/** The size of a string in UTF-8, which is what SNS and CloudWatch Logs count. */
export function utf8Bytes(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** At most `maxBytes` of UTF-8, cut at a character boundary and marked with `…`. */
export function truncateBytes(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Bytes(char);
    // 3 bytes kept for the ellipsis.
    if (bytes + size > maxBytes - 3) break;
    bytes += size;
    end += char.length;
  }
  return `${value.slice(0, end)}…`;
}

/** Free text from the event or EC2 in a report: user agents, ARNs, descriptions, group names, errors. */
export const FIELD_BYTES = 2048;
/** A validation problem quotes what it rejected; each is bounded, and at most 20 are kept. */
const PROBLEM_BYTES = 1024;
const PROBLEMS_KEPT = 20;

export function boundedText(value: string, maxBytes?: number): string;
export function boundedText(value: string | undefined, maxBytes?: number): string | undefined;
export function boundedText(value: string | undefined, maxBytes = FIELD_BYTES): string | undefined {
  return value === undefined ? undefined : truncateBytes(value, maxBytes);
}

export function boundedProblems(problems: readonly string[]): string[] {
  return problems.slice(0, PROBLEMS_KEPT).map((p) => truncateBytes(p, PROBLEM_BYTES));
}

export const SUBJECT_LIMIT = 100;

/** SNS subjects must be printable ASCII without line breaks, and at most 100 characters. */
export function subjectText(value: string, limit = SUBJECT_LIMIT): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > limit ? `${ascii.slice(0, limit - 3)}...` : ascii;
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

/** A security group in the EC2 console of its region. */
export function groupConsoleUrl(region: string, groupId: string): string {
  return `https://${consoleHost(region)}/ec2/home?region=${encodeURIComponent(region)}#SecurityGroup:groupId=${encodeURIComponent(groupId)}`;
}
