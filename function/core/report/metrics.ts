/**
 * The metrics a report says, for CloudWatch (the adapter writes them in the embedded metric
 * format: log lines, no API call). Namespace `sg-sentry`; each is published with the dimension
 * `account` and without any (the total the module's alarms and dashboard read).
 *
 * `ExposureSeconds` is the figure no log line gives: from the CloudTrail `eventTime` of the
 * change to the moment its revoke (or restrict) succeeded, i.e. how long the world had access.
 */
import type { FindingAction } from '../model/finding';
import type { EventReport, SkippedReport, SweepReport } from './report';

export const METRICS_NAMESPACE = 'sg-sentry';
export const METRICS_DIMENSION = 'account';

export const METRIC_NAMES = [
  'Revoked',
  'Restricted',
  'Exempt',
  'Reported',
  'Failed',
  'CouldNotCheck',
  'ExposureSeconds',
  'SweepViolations',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Metric {
  readonly name: MetricName;
  readonly unit: 'Count' | 'Seconds';
  readonly value: number;
}

/** The metrics of one report, measured at `time`. */
export interface MetricsRecord {
  readonly account: string | null;
  readonly time: Date;
  readonly metrics: readonly Metric[];
}

const ACTION_METRIC: Readonly<Partial<Record<FindingAction, MetricName>>> = {
  revoked: 'Revoked',
  restricted: 'Restricted',
  reported: 'Reported',
  failed: 'Failed',
};

const count = (name: MetricName, value: number): Metric => ({ name, unit: 'Count', value });

/**
 * An event's counts by finding action (exempt by verdict), and its exposure when a rule was
 * revoked or restricted. `remediatedAt` is when remediation finished: the clock right after the
 * last EC2 write returned.
 */
export function eventMetrics(report: EventReport, remediatedAt: Date): MetricsRecord {
  const counts = new Map<MetricName, number>();
  for (const finding of report.findings) {
    const name = finding.verdict === 'exempt' ? 'Exempt' : ACTION_METRIC[finding.action];
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const metrics: Metric[] = [...counts].map(([name, value]) => count(name, value));
  const closed = report.findings.some((f) => f.action === 'revoked' || f.action === 'restricted');
  const changedAt = report.event_time === null ? Number.NaN : Date.parse(report.event_time);
  if (closed && Number.isFinite(changedAt)) {
    // A clock a little behind CloudTrail's must not report a negative window.
    metrics.push({ name: 'ExposureSeconds', unit: 'Seconds', value: Math.max(0, (remediatedAt.getTime() - changedAt) / 1000) });
  }
  return { account: report.account, time: remediatedAt, metrics };
}

/** A sweep target's counts, and the violations it found (`SweepViolations`, also when zero: a clean sweep is a data point). */
export function sweepMetrics(report: SweepReport, at: Date): MetricsRecord {
  const { counts } = report;
  const metrics = [
    count('SweepViolations', counts.violations),
    ...(
      [
        ['Revoked', counts.revoked],
        ['Restricted', counts.restricted],
        ['Exempt', counts.exempt],
        ['Reported', counts.reported],
        ['Failed', counts.failed],
      ] as const
    )
      .filter(([, value]) => value > 0)
      .map(([name, value]) => count(name, value)),
  ];
  return { account: report.account, time: at, metrics };
}

/**
 * A watched event that nothing could check (its report says `could_not_check`): the total only,
 * since such an event may not even name its account. undefined for any other skipped event.
 */
export function couldNotCheckMetrics(report: SkippedReport, at: Date): MetricsRecord | undefined {
  if (report.could_not_check !== true) return undefined;
  return { account: null, time: at, metrics: [count('CouldNotCheck', 1)] };
}
