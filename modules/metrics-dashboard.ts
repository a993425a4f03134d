/**
 * What the function's metrics (CloudWatch's embedded metric format, namespace `sg-sentry`, the
 * totals without dimensions) become in the module: a dashboard of the exposure window and the
 * counts, and an alarm to the topic on `Failed` (a violation that could not be remediated). A
 * change nothing could judge has one alarm, on `CouldNotCheck` and on the metric filter of its
 * log line together (could-not-check.ts), so it does not depend on the metric line being
 * written; the dashboard shows both counts.
 */
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { METRICS_NAMESPACE, type MetricName } from '../function/core/report/metrics';
import { type AlarmDefinition, EVENTS_NOT_CHECKED_METRIC } from './could-not-check';

/** The alarms' names, so the topic policy can name them before they exist. */
export function metricAlarmNames(name: string): { readonly failed: string } {
  return { failed: `${name}-failed` };
}

/** The alarms on the metrics, each for the construct's above-zero alarm helper, by construct id. */
export function metricAlarms(name: string, tags: { [key: string]: string } | undefined): ReadonlyArray<readonly [string, AlarmDefinition]> {
  const names = metricAlarmNames(name);
  const on = (metricName: MetricName) => ({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', tags });
  return [
    [
      'failed_alarm',
      {
        alarmName: names.failed,
        alarmDescription:
          'sg-sentry: a violation could not be remediated (Failed); the rule may still be open, see the notification or the function logs',
        ...on('Failed'),
      },
    ],
  ];
}

/** A metric of the namespace, totals (no dimensions), as a dashboard widget names it. */
function metric(name: MetricName, stat: string, label: string): unknown[] {
  return [METRICS_NAMESPACE, name, { stat, label }];
}

/** The dashboard's widgets, in the function's region. Exported for the tests, which read them from the plan. */
export function dashboardBody(region: string): string {
  const widget = (x: number, y: number, title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', period: 300, metrics, ...extra },
  });
  return JSON.stringify({
    widgets: [
      widget(
        0,
        0,
        'Exposure: CloudTrail eventTime to revoke (seconds)',
        [metric('ExposureSeconds', 'p50', 'p50'), metric('ExposureSeconds', 'p90', 'p90'), metric('ExposureSeconds', 'Maximum', 'max')],
        { yAxis: { left: { min: 0 } } },
      ),
      widget(
        12,
        0,
        'Rules by outcome',
        [
          metric('Revoked', 'Sum', 'revoked'),
          metric('Restricted', 'Sum', 'restricted'),
          metric('Exempt', 'Sum', 'exempt'),
          metric('Reported', 'Sum', 'reported'),
          metric('Failed', 'Sum', 'failed'),
        ],
        { stacked: false },
      ),
      widget(0, 6, 'Sweep: violations found', [metric('SweepViolations', 'Sum', 'violations')]),
      widget(12, 6, 'Changes that could not be checked', [
        metric('CouldNotCheck', 'Sum', 'could not check (metric)'),
        [
          EVENTS_NOT_CHECKED_METRIC.namespace,
          EVENTS_NOT_CHECKED_METRIC.name,
          { stat: 'Sum', label: 'could not check (log lines, alarmed)' },
        ],
      ]),
    ],
  });
}

export interface MetricsDashboardProps {
  readonly name: string;
  /** The function's region: the widgets read its metrics there. */
  readonly region: string;
}

/** Dashboards are global to an account: the name carries the region, as the role's does. */
export function createMetricsDashboard(scope: Construct, id: string, props: MetricsDashboardProps): CloudwatchDashboard {
  return new CloudwatchDashboard(scope, id, {
    dashboardName: `${props.name}-${props.region}`,
    dashboardBody: dashboardBody(props.region),
  });
}
