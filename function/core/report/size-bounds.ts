/**
 * Where sizes are bounded, in UTF-8 bytes (what SNS and CloudWatch Logs count, not string
 * length): each free-text field of a report, the SNS message as a whole, and the log line.
 * Fields are bounded where the report is built, so no single field (a user agent of 90,000
 * non-ASCII characters, a forged description) can crowd out the findings; the message and the
 * log line then drop the least severe findings until they fit, saying how many.
 */
import type { NotificationMessage } from '../ports';
import { byVerdictSeverity, type FindingReport } from './report';
import { REPORT_JSON_BYTES, reportJson } from './report-json';
import { utf8Bytes } from './text';

/** SNS's limit for the whole message (message, subject and attributes), with room to spare. */
const SNS_MESSAGE_BYTES = 256 * 1024 - 2048;
/** CloudWatch Logs' 256 KiB per event, less Lambda's prefix (time, request id, level) and a margin. */
export const LOG_LINE_BYTES = 256 * 1024 - 4096;

function snsBytes(message: Pick<NotificationMessage, 'subject' | 'email' | 'json' | 'attributes'>): number {
  const attributes = Object.entries(message.attributes).reduce(
    (sum, [key, value]) => sum + utf8Bytes(key) + utf8Bytes(value) + 'String'.length,
    0,
  );
  // The adapter sends {default, email} as one JSON string: both are escaped once more inside it.
  return utf8Bytes(JSON.stringify({ default: message.json, email: message.email })) + utf8Bytes(message.subject) + attributes;
}

/** The message with its JSON report cut further until the whole of it fits SNS. */
export function fitToSns<M extends NotificationMessage>(message: M, report: { readonly findings: readonly FindingReport[] }): M {
  let fitted = message;
  for (
    let limit = Math.floor(REPORT_JSON_BYTES * 0.7);
    snsBytes(fitted) > SNS_MESSAGE_BYTES && limit > 1024;
    limit = Math.floor(limit * 0.7)
  ) {
    fitted = { ...fitted, json: reportJson(report, limit) };
  }
  return fitted;
}

interface WithFindings {
  readonly findings: readonly FindingReport[];
  readonly restore?: readonly unknown[];
}

type LogLineWithFindings = Readonly<Record<string, unknown>> & WithFindings;

/**
 * The log line with as many findings as fit CloudWatch's limit (and at most `maxFindings`), most
 * severe first, and then as many restore commands as fit (a command that re-creates hundreds of
 * described rules is as long as they are); the rest are counted in `findings_truncated` and
 * `restore_truncated` (the report the handler returns, and the notification, keep them).
 */
export function boundedLogLine(
  line: LogLineWithFindings,
  maxFindings = Number.POSITIVE_INFINITY,
  maxBytes = LOG_LINE_BYTES,
): Record<string, unknown> {
  const fits = (candidate: Record<string, unknown>) => utf8Bytes(JSON.stringify(candidate)) <= maxBytes;
  if (line.findings.length <= maxFindings && fits(line)) return line;
  let findings = [...line.findings].sort(byVerdictSeverity).slice(0, maxFindings);
  let bounded: Record<string, unknown> = { ...line, findings, findings_truncated: line.findings.length - findings.length };
  while (!fits(bounded) && findings.length > 0) {
    findings = findings.slice(0, Math.floor(findings.length * 0.8));
    bounded = { ...line, findings, findings_truncated: line.findings.length - findings.length };
  }
  const allRestore = line.restore ?? [];
  let restore = allRestore;
  while (!fits(bounded) && restore.length > 0) {
    restore = restore.slice(0, Math.floor(restore.length * 0.8));
    bounded = { ...bounded, restore, restore_truncated: allRestore.length - restore.length };
  }
  return bounded;
}

/**
 * A tag change's log line: one report per group it judged, each given an equal share of
 * CloudWatch's limit (bounded as an event's line is); groups that still do not fit, the last
 * first, are counted in `groups_truncated`.
 */
export function boundedGroupsLogLine(
  line: Readonly<Record<string, unknown>> & { readonly groups: readonly WithFindings[] },
): Record<string, unknown> {
  const fits = (candidate: Record<string, unknown>) => utf8Bytes(JSON.stringify(candidate)) <= LOG_LINE_BYTES;
  if (fits(line)) return line;
  const share = Math.floor(LOG_LINE_BYTES / Math.max(1, line.groups.length)) - 512;
  let groups = line.groups.map((group) => boundedLogLine({ ...group }, Number.POSITIVE_INFINITY, share));
  let bounded: Record<string, unknown> = { ...line, groups };
  while (!fits(bounded) && groups.length > 0) {
    groups = groups.slice(0, Math.floor(groups.length * 0.8));
    bounded = { ...line, groups, groups_truncated: line.groups.length - groups.length };
  }
  return bounded;
}
