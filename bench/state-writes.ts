/**
 * What the state table costs an event: the violating corpus through the handler in one process
 * (SDK clients mocked, as in bench/storm.ts), once without `SENTRY_STATE_TABLE` and once with
 * it, for two policies: the default (violations revoked) and one whose `exempt_principals`
 * matches every caller (each violation exempt, so each event records its exemptions for the
 * sweep). Prints one `STATE {json}` line: per variant, milliseconds per event and DynamoDB calls
 * per event.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { performance } from 'node:perf_hooks';
import { contextFromEnvironment } from '../function/environment';
import { createHandler } from '../function/handler';
import { loadCorpus } from './corpus';
import { mockEventClients } from './mocked-event-clients';

const EVENTS = Number(process.env.BENCH_STATE_EVENTS ?? 1000);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:sg-sentry';
const EXEMPT_EVERYONE = JSON.stringify({ version: 1, exempt_principals: ['arn:**'] });

async function main(): Promise<void> {
  const { ec2, sns } = mockEventClients();
  const dynamodb = mockClient(DynamoDBClient);
  dynamodb.onAnyCommand().resolves({});
  dynamodb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: {}, UnprocessedKeys: {} });

  const violating = loadCorpus().filter((e) => e.violations > 0);
  const run = async (env: Record<string, string>) => {
    const handler = createHandler(
      contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC, ...env }, { log: () => undefined, metrics: { record: () => undefined } }),
    );
    for (let i = 0; i < 200; i++) await handler(structuredClone(violating[i % violating.length]!.event));
    dynamodb.resetHistory();
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const event = structuredClone(violating[i % violating.length]!.event);
      event.detail.eventID = `state-${i}-${event.detail.eventID}`;
      await handler(event);
      ec2.resetHistory();
      sns.resetHistory();
    }
    const msPerEvent = (performance.now() - started) / EVENTS;
    const dynamoCalls = dynamodb.calls().length / EVENTS;
    dynamodb.resetHistory();
    return { msPerEvent, dynamoCallsPerEvent: dynamoCalls };
  };
  const result = {
    events: EVENTS,
    revoking: { without: await run({}), with: await run({ SENTRY_STATE_TABLE: 'sg-sentry-state' }) },
    exempt: {
      without: await run({ SENTRY_POLICY: EXEMPT_EVERYONE }),
      with: await run({ SENTRY_POLICY: EXEMPT_EVERYONE, SENTRY_STATE_TABLE: 'sg-sentry-state' }),
    },
  };
  process.stdout.write(`STATE ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
