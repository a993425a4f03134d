/**
 * Sends a report's findings to Security Hub, after the revoke and the notification, best
 * effort: whatever goes wrong is logged at error level and counted, and never thrown, so
 * Security Hub can neither block nor undo nor retry a remediation.
 */
import type { LogSink, SecurityHubPort } from '../ports';
import type { EventReport, SecurityHubCounts, SweepReport } from './report';
import { type AsffFinding, findingsWithoutGroupId, securityHubFindingsOf } from './security-hub-findings';

interface ImportContext {
  readonly log: LogSink;
  readonly now: () => Date;
}

/** At most this many failures are named in the log line; the count is always complete. */
const LOGGED_FAILURES_LIMIT = 20;

export async function importToSecurityHub(
  report: EventReport | SweepReport,
  securityHub: SecurityHubPort,
  context: ImportContext,
): Promise<SecurityHubCounts> {
  const findings = securityHubFindingsOf(report, context.now());
  const where = { event_id: report.event_id, account: report.account, region: report.region };
  const unnamed = findingsWithoutGroupId(report);
  if (unnamed > 0) {
    context.log({
      level: 'error',
      message: 'Security Hub: findings not imported, their group is named only by name; remediation stands',
      ...where,
      not_imported: unnamed,
      group_name: report.kind === 'event' ? report.group_name : null,
    });
  }
  const counted = await importNamed(findings, securityHub, context, where);
  return { imported: counted.imported, failed: counted.failed + unnamed };
}

async function importNamed(
  findings: readonly AsffFinding[],
  securityHub: SecurityHubPort,
  context: ImportContext,
  where: Readonly<Record<string, unknown>>,
): Promise<SecurityHubCounts> {
  if (findings.length === 0) return { imported: 0, failed: 0 };
  let failed;
  try {
    ({ failed } = await securityHub.importFindings(findings));
  } catch (error) {
    context.log({
      level: 'error',
      message: 'Security Hub import failed; remediation stands',
      ...where,
      findings: findings.length,
      error: String(error),
    });
    return { imported: 0, failed: findings.length };
  }
  if (failed.length > 0) {
    context.log({
      level: 'error',
      message: 'Security Hub refused findings; remediation stands',
      ...where,
      findings: findings.length,
      failed: failed.length,
      failures: failed.slice(0, LOGGED_FAILURES_LIMIT),
    });
  }
  return { imported: findings.length - failed.length, failed: failed.length };
}

/**
 * The last step of an event or a sweep target: `notify` (which may throw, e.g. SNS failed), then
 * the Security Hub import whatever became of it, then the notification's failure, if any. Answers
 * what `notify` answered and, when Security Hub is on, the import's counts.
 */
export async function notifyThenImport<T>(
  report: EventReport | SweepReport,
  notify: () => Promise<T>,
  securityHub: SecurityHubPort | undefined,
  context: ImportContext,
): Promise<{ readonly notified: T; readonly securityHub?: SecurityHubCounts }> {
  let outcome: { readonly notified: T } | { readonly error: unknown };
  try {
    outcome = { notified: await notify() };
  } catch (error) {
    outcome = { error };
  }
  const counts = securityHub === undefined ? undefined : await importToSecurityHub(report, securityHub, context);
  if ('error' in outcome) throw outcome.error;
  return { notified: outcome.notified, ...(counts !== undefined ? { securityHub: counts } : {}) };
}

/**
 * `notifyThenImport` for an event report, whichever path built it: the report as this delivery
 * leaves it, `duplicate` when its notification had gone out before, with the import's counts
 * when Security Hub is on.
 */
export async function deliverEventReport(
  report: EventReport,
  notify: () => Promise<boolean>,
  securityHub: SecurityHubPort | undefined,
  context: ImportContext,
): Promise<EventReport> {
  const { notified: duplicate, securityHub: counts } = await notifyThenImport(report, notify, securityHub, context);
  return { ...report, ...(duplicate ? { duplicate } : {}), ...(counts !== undefined ? { security_hub: counts } : {}) };
}
