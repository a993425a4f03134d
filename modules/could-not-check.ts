/**
 * "Could not be checked": the function logs one error line, with a fixed message, for a watched
 * event it could not read and could not judge otherwise (no group named, no region, reads
 * refused), and counts it in its CouldNotCheck metric. A metric filter counts those lines, and
 * one alarm on both counts tells the topic at the first one, so a change nobody checked never
 * goes unnoticed.
 *
 * The filter matches the message as a phrase, not as a JSON field: Lambda's default text log
 * format puts a timestamp and request id before the JSON the function writes, and a phrase
 * matches in the JSON log format too. Text from an event that spells the same phrase can only
 * raise a false alarm, never hide a real one.
 */
import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import type { CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { ITerraformDependable } from 'cdktf';
import { COULD_NOT_CHECK_MESSAGE } from '../function/core/report/could-not-check';
import { METRICS_NAMESPACE, type MetricName } from '../function/core/report/metrics';

/** The period every alarm of the module sums over: the first count in five minutes raises it. */
export const ALARM_PERIOD_S = 300;

/** What an alarm of the module is, before the construct adds threshold and actions: one metric, or metric math. */
export type AlarmDefinition = Pick<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmDescription' | 'tags'> &
  (
    | (Required<Pick<CloudwatchMetricAlarmConfig, 'namespace' | 'metricName' | 'statistic'>> &
        Pick<CloudwatchMetricAlarmConfig, 'dimensions'>)
    | Required<Pick<CloudwatchMetricAlarmConfig, 'metricQuery'>>
  );

/** The metric the filter writes (its own name: the function's EMF metrics are another family). */
export const EVENTS_NOT_CHECKED_METRIC = { namespace: 'sg-sentry', name: 'EventsNotChecked' } as const;

export function couldNotCheckAlarmName(name: string): string {
  return `${name}-events-not-checked`;
}

export interface CouldNotCheckProps {
  readonly name: string;
  readonly logGroupName: string;
  readonly dependsOn: ITerraformDependable[];
}

/** The metric filter on the function's log group. */
export function couldNotCheckMetricFilter(scope: Construct, id: string, props: CouldNotCheckProps): CloudwatchLogMetricFilter {
  return new CloudwatchLogMetricFilter(scope, id, {
    name: `${props.name}-could-not-check`,
    logGroupName: props.logGroupName,
    pattern: JSON.stringify(COULD_NOT_CHECK_MESSAGE),
    metricTransformation: {
      namespace: EVENTS_NOT_CHECKED_METRIC.namespace,
      name: EVENTS_NOT_CHECKED_METRIC.name,
      value: '1',
      unit: 'Count',
    },
    dependsOn: props.dependsOn,
  });
}

/** The function's own metric for such a change (embedded metric format, the total without dimensions). */
const COULD_NOT_CHECK_METRIC: MetricName = 'CouldNotCheck';

/**
 * One alarm on both counts of such changes: the log lines the filter counts and the function's
 * CouldNotCheck metric. Either alone raises it (a metric line that could not be written does not
 * hide the change, nor a log line the filter missed), and one change sends one notification.
 * Above zero in five minutes → the topic, through the construct's alarm helper.
 */
export function couldNotCheckAlarm(name: string, tags: { [key: string]: string } | undefined): AlarmDefinition {
  const counted = (id: string, namespace: string, metricName: string) => ({
    id,
    metric: { namespace, metricName, stat: 'Sum', period: ALARM_PERIOD_S },
    returnData: false,
  });
  return {
    alarmName: couldNotCheckAlarmName(name),
    alarmDescription:
      'sg-sentry: a security-group change could not be checked (an event it could not read); look at the function\'s error log lines "sg-sentry could not check event"',
    metricQuery: [
      counted('not_checked_lines', EVENTS_NOT_CHECKED_METRIC.namespace, EVENTS_NOT_CHECKED_METRIC.name),
      counted('could_not_check', METRICS_NAMESPACE, COULD_NOT_CHECK_METRIC),
      {
        id: 'changes_not_checked',
        label: 'changes that could not be checked',
        // FILL: a count with no data in the period must not leave the other one unread.
        expression: 'MAX([FILL(not_checked_lines, 0), FILL(could_not_check, 0)])',
        returnData: true,
      },
    ],
    tags,
  };
}
