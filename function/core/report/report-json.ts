import { byVerdictSeverity, type FindingReport } from './report';
import type { Restore } from './restore';
import { utf8Bytes } from './text';

/** The report's share of SNS's 256 KiB, in UTF-8 bytes (the email takes the rest). */
export const REPORT_JSON_BYTES = 150_000;

/**
 * The JSON report, cut to `limitBytes` of UTF-8: the least severe findings go first (allowed,
 * then exempt), and only then restore commands (the email shows the first of them too);
 * `findings_truncated` and `restore_truncated` say how many were left out.
 */
export function reportJson(
  report: { readonly findings: readonly FindingReport[]; readonly restore?: readonly Restore[] },
  limitBytes = REPORT_JSON_BYTES,
): string {
  const full = JSON.stringify(report);
  if (utf8Bytes(full) <= limitBytes) return full;
  const kept = [...report.findings].sort(byVerdictSeverity);
  let findings = kept;
  let text = full;
  while (utf8Bytes(text) > limitBytes && findings.length > 0) {
    findings = findings.slice(0, Math.floor(findings.length * 0.8));
    text = JSON.stringify({ ...report, findings, findings_truncated: report.findings.length - findings.length });
  }
  const allRestore = report.restore ?? [];
  let restore = allRestore;
  while (utf8Bytes(text) > limitBytes && restore.length > 0) {
    restore = restore.slice(0, Math.floor(restore.length * 0.8));
    text = JSON.stringify({
      ...report,
      findings,
      findings_truncated: report.findings.length - findings.length,
      restore,
      restore_truncated: allRestore.length - restore.length,
    });
  }
  return text;
}
