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

/**
 * The log line with as many findings as fit CloudWatch's limit (and at most `maxFindings`), most
 * severe first; the rest are counted in `findings_truncated` (the report the handler returns
 * keeps them all).
 */
export function boundedLogLine(
  line: Readonly<Record<string, unknown>> & { readonly findings: readonly FindingReport[] },
  maxFindings = Number.POSITIVE_INFINITY,
): Record<string, unknown> {
  const fits = (candidate: Record<string, unknown>) => utf8Bytes(JSON.stringify(candidate)) <= LOG_LINE_BYTES;
  if (line.findings.length <= maxFindings && fits(line)) return line;
  let findings = [...line.findings].sort(byVerdictSeverity).slice(0, maxFindings);
  let bounded: Record<string, unknown> = { ...line, findings, findings_truncated: line.findings.length - findings.length };
  while (!fits(bounded) && findings.length > 0) {
    findings = findings.slice(0, Math.floor(findings.length * 0.8));
    bounded = { ...line, findings, findings_truncated: line.findings.length - findings.length };
  }
  return bounded;
}
