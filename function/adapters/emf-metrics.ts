/**
 * The metrics port over Powertools Metrics: each report's metrics become one line of
 * CloudWatch's embedded metric format on stdout, which CloudWatch Logs turns into metrics (no API
 * call, nothing on the event path waits for it). Each metric is published twice from that one
 * line: with the `account` dimension (when the report names one) and with none, the total the
 * module's dashboard and alarms read. Powertools' own `service` dimension is left out: the
 * contract's names and dimensions are the only ones.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { LogSink, MetricsPort } from '../core/ports';
import { METRICS_DIMENSION, METRICS_NAMESPACE, type MetricsRecord } from '../core/report/metrics';

type Sdk = typeof import('./powertools-metrics');

export class EmfMetrics implements MetricsPort {
  private metrics: Metrics | undefined;
  private sdkModule: Sdk | undefined;

  constructor(private readonly log: LogSink) {}

  record(record: MetricsRecord): void {
    if (record.metrics.length === 0) return;
    try {
      // Loaded here, not at the top: see powertools-metrics.ts.
      this.sdkModule ??= require('./powertools-metrics') as Sdk;
      const { Metrics, MetricUnit } = this.sdkModule;
      if (this.metrics === undefined) {
        this.metrics = new Metrics({ namespace: METRICS_NAMESPACE });
        this.metrics.clearDefaultDimensions();
      }
      const metrics = this.metrics;
      if (record.account !== null) metrics.addDimension(METRICS_DIMENSION, record.account);
      // An empty dimension set: the same values, published without dimensions as well.
      metrics.addDimensions({});
      for (const metric of record.metrics)
        metrics.addMetric(metric.name, metric.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, metric.value);
      metrics.setTimestamp(record.time);
      metrics.publishStoredMetrics();
    } catch (error) {
      // Metrics describe what happened; they never change it.
      this.log({ level: 'error', message: 'sg-sentry could not write its metrics', error: String(error) });
    }
  }
}
