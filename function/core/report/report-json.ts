import { byVerdictSeverity, type FindingReport } from './report';
import type { GroupRestore } from './restore';

/** SNS allows 256 KB for the whole JSON message (email + default); leave room for the email. */
const REPORT_JSON_LIMIT = 150_000;

/**
 * The JSON report, cut to fit SNS's size limit: allowed findings go first, then the rest, and
 * only then restore commands (the email shows the first of them too).
 */
export function reportJson(report: { readonly findings: readonly FindingReport[]; readonly restore?: readonly GroupRestore[] }): string {
  const full = JSON.stringify(report);
  if (full.length <= REPORT_JSON_LIMIT) return full;
  const kept = [...report.findings].sort(byVerdictSeverity);
  let findings = kept;
  let text = full;
  while (text.length > REPORT_JSON_LIMIT && findings.length > 0) {
    findings = findings.slice(0, Math.floor(findings.length * 0.8));
    text = JSON.stringify({ ...report, findings, findings_truncated: report.findings.length - findings.length });
  }
  const allRestore = report.restore ?? [];
  let restore = allRestore;
  while (text.length > REPORT_JSON_LIMIT && restore.length > 0) {
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
