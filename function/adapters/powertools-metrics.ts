/**
 * Powertools Metrics, in a module of its own so that the adapter loads it with `require` on the
 * first report, after the revoke.
 */
export { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
