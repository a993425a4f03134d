/**
 * The one JSON document `check` and `scan` print (`--format json`), and what SARIF is written
 * from: which policy judged, what this run changed, every report the engine made, the failures
 * and the exit code. Both commands fill the same fields, so a pipeline reads either the same way.
 */
import { version } from '../package.json';
import type { PolicyAction, PolicyMode } from '../function/core/policy/policy';
import type { EventReport, FindingReport, SkippedReport, SweepReport } from '../function/core/report/report';

/** A finding of `check`, with what the Lambda would do under the policy's own mode. */
export type CheckedFinding = FindingReport & { readonly would_action: string };

/** The engine's report of one event, each finding with its `would_action`. */
export type CheckedEventReport = Omit<EventReport, 'findings'> & { readonly findings: readonly CheckedFinding[] };

export interface RunResult {
  /** What was judged, as messages name it: `file`, `file [record 3]`, `(stdin)`, or the region scanned. */
  readonly input: string;
  /** check: the file (`(stdin)` for standard input) and the record's position in it (null: the file is one event). */
  readonly file?: string;
  readonly record?: number | null;
  /** scan: the region. */
  readonly region?: string;
  readonly report: CheckedEventReport | SkippedReport | SweepReport;
  /** What could not be known or done (offline limits, names that could not be read). */
  readonly notes: readonly string[];
}

export interface RunFailure {
  /** The file or region that could not be read or scanned. */
  readonly input: string;
  readonly error: string;
}

export interface RunSummary {
  /** Reports the engine made: events judged (check), regions swept (scan). */
  readonly reports: number;
  /** Rules judged, and how. */
  readonly rules: number;
  readonly violations: number;
  readonly exempt: number;
  readonly allowed: number;
  /** Records that are not security-group changes (check). */
  readonly ignored: number;
  /** Records or files that could not be read (check). */
  readonly invalid: number;
  /** Regions that could not be scanned, and remediations that failed (scan). */
  readonly failed: number;
}

export interface RunDocument {
  readonly tool: { readonly name: 'sg-sentry'; readonly version: string };
  readonly command: 'check' | 'scan';
  /** The account the reports concern; null when none is known, or when they span several (see `accounts`). */
  readonly account: string | null;
  readonly accounts: readonly string[];
  /** The policy as written: what the deployed function does with it. */
  readonly policy: { readonly source: string; readonly mode: PolicyMode; readonly action: PolicyAction };
  /** What this run did: `report` changed nothing; `enforce` acted (only `scan --fix`). */
  readonly run_mode: PolicyMode;
  readonly summary: RunSummary;
  readonly results: readonly RunResult[];
  readonly failures: readonly RunFailure[];
  readonly exit_code: number;
}

export interface RunFacts {
  readonly command: RunDocument['command'];
  /** The caller's account (scan); check takes the accounts from the events. */
  readonly callerAccount?: string;
  readonly policy: RunDocument['policy'];
  readonly runMode: PolicyMode;
  readonly results: readonly RunResult[];
  readonly failures: readonly RunFailure[];
  readonly exitCode: number;
}

function isSweep(report: RunResult['report']): report is SweepReport {
  return 'kind' in report && report.kind === 'sweep';
}

function count(findings: readonly { verdict: string }[], verdict: string): number {
  return findings.filter((f) => f.verdict === verdict).length;
}

export function summarize(results: readonly RunResult[], failures: readonly RunFailure[]): RunSummary {
  let summary: RunSummary = { reports: 0, rules: 0, violations: 0, exempt: 0, allowed: 0, ignored: 0, invalid: 0, failed: failures.length };
  for (const { report } of results) {
    if (isSweep(report)) {
      const c = report.counts;
      summary = {
        ...summary,
        reports: summary.reports + 1,
        rules: summary.rules + c.rules,
        violations: summary.violations + c.violations,
        exempt: summary.exempt + c.exempt,
        allowed: summary.allowed + c.allowed,
        failed: summary.failed + c.failed,
      };
    } else if (report.status === 'processed') {
      const f = report.findings;
      summary = {
        ...summary,
        reports: summary.reports + 1,
        rules: summary.rules + f.length,
        violations: summary.violations + count(f, 'violation'),
        exempt: summary.exempt + count(f, 'exempt'),
        allowed: summary.allowed + count(f, 'allowed'),
        failed:
          summary.failed +
          count(
            f.map((x) => ({ verdict: x.action })),
            'failed',
          ),
      };
    } else if (report.status === 'ignored') {
      summary = { ...summary, ignored: summary.ignored + 1 };
    } else {
      summary = { ...summary, invalid: summary.invalid + 1 };
    }
  }
  return summary;
}

function accountOf(report: RunResult['report']): string | null {
  return 'account' in report ? report.account : null;
}

export function runDocument(facts: RunFacts): RunDocument {
  const fromReports = facts.results.map((r) => accountOf(r.report)).filter((a): a is string => a !== null);
  const accounts = [...new Set(facts.callerAccount !== undefined ? [facts.callerAccount, ...fromReports] : fromReports)].sort();
  return {
    tool: { name: 'sg-sentry', version },
    command: facts.command,
    account: facts.callerAccount ?? (accounts.length === 1 ? (accounts[0] as string) : null),
    accounts,
    policy: facts.policy,
    run_mode: facts.runMode,
    summary: summarize(facts.results, facts.failures),
    results: facts.results,
    failures: facts.failures,
    exit_code: facts.exitCode,
  };
}
