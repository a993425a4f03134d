/**
 * "Could not be checked": the function logs one error line, with a fixed message, for a watched
 * event it could not read and could not judge otherwise (no group named, no region, reads
 * refused). A metric filter counts those lines and an alarm tells the topic at the first one,
 * so a change nobody checked never goes unnoticed.
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

/** The alarm on that metric, for the construct's alarm helper (above zero in five minutes → the topic). */
export function couldNotCheckAlarm(
  name: string,
  tags: { [key: string]: string } | undefined,
): Pick<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmDescription' | 'namespace' | 'metricName' | 'statistic' | 'tags'> {
  return {
    alarmName: couldNotCheckAlarmName(name),
    alarmDescription:
      'sg-sentry: a security-group change could not be checked (an event it could not read); look at the function\'s error log lines "sg-sentry could not check event"',
    namespace: EVENTS_NOT_CHECKED_METRIC.namespace,
    metricName: EVENTS_NOT_CHECKED_METRIC.name,
    statistic: 'Sum',
    tags,
  };
}
