import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateTableError } from '../../function/core/errors';
import type { ExemptionRecord } from '../../function/core/ports';
import {
  BATCH_GET_LIMIT,
  BATCH_WRITE_LIMIT,
  exemptionKey,
  itemOfRecord,
  recordOfItem,
  StateTable,
} from '../../function/adapters/state-table';
import { awsError } from '../helpers/aws-errors';
import { fixture } from '../helpers/fixtures';

const TABLE = 'sg-sentry-state';

/** The exemption the event path records for the real console sample's rule. */
function recordFor(ruleId: string): ExemptionRecord {
  const sample = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
  return {
    account: sample.recipientAccountId,
    region: sample.awsRegion,
    ruleId,
    groupId: sample.requestParameters.groupId,
    rule: 'ingress|tcp|22:22|cidr:0.0.0.0/0',
    ruleText: 'tcp/22 from 0.0.0.0/0',
    principal: { arn: sample.userIdentity.arn, issuerArn: sample.userIdentity.sessionContext.sessionIssuer.arn },
    reason: 'exempt_principals[0] "arn:aws:iam::*:role/voclabs" matches issuer arn:aws:iam::776520358045:role/voclabs',
    time: sample.eventTime,
    eventId: sample.eventID,
    expiration: 1_790_000_000,
  };
}

function ruleIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `sgr-${i.toString(16).padStart(17, '0')}`);
}

describe('StateTable (DynamoDB adapter)', () => {
  it('keys a record exempt#<account>#<region>#<rule id> with its TTL in expiration, and reads it back unchanged', () => {
    // Prepare
    const record = recordFor('sgr-09be5c962afdc06ed');

    // Act
    const item = itemOfRecord(record);

    // Assess
    expect(item['id']).to.deep.equal({ S: 'exempt#776520358045#us-east-1#sgr-09be5c962afdc06ed' });
    expect(item['expiration']).to.deep.equal({ N: '1790000000' });
    expect(recordOfItem(item)).to.deep.equal(record);
  });

  it('writes 60 records in three BatchWriteItem calls of at most 25 and sends again what DynamoDB left unprocessed', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    const records = ruleIds(60).map(recordFor);
    const leftOver = itemOfRecord(records[3]!);
    dynamodb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: leftOver } }] } })
      .resolves({});

    // Act
    await new StateTable(TABLE, client, 0).recordExemptions(records);

    // Assess
    const sent = dynamodb
      .commandCalls(BatchWriteItemCommand)
      .map((call) => call.args[0].input.RequestItems?.[TABLE]?.map((r) => r.PutRequest?.Item?.['id']?.S));
    expect(sent.map((ids) => ids?.length)).to.deep.equal([BATCH_WRITE_LIMIT, 1, BATCH_WRITE_LIMIT, 10]);
    expect(sent[1]).to.deep.equal([exemptionKey(records[3]!)]);
  });

  it('reads 150 distinct rules (one named twice) in BatchGetItem calls of at most 100 keys, following UnprocessedKeys', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    const records = ruleIds(150).map(recordFor);
    const stored = records.filter((_, i) => i % 50 === 7);
    dynamodb.on(BatchGetItemCommand).callsFake((input) => {
      const keys = (input.RequestItems[TABLE].Keys as { id: { S: string } }[]).map((k) => k.id.S);
      const found = stored.filter((r) => keys.includes(exemptionKey(r)));
      // Under load DynamoDB answers part of a batch and hands back the rest.
      const [first, ...rest] = keys;
      if (keys.length === BATCH_GET_LIMIT) {
        return {
          Responses: { [TABLE]: found.filter((r) => exemptionKey(r) !== first).map(itemOfRecord) },
          UnprocessedKeys: { [TABLE]: { Keys: [{ id: { S: first } }] } },
        };
      }
      expect(rest.length + 1).to.equal(keys.length);
      return { Responses: { [TABLE]: found.map(itemOfRecord) } };
    });

    // Act
    const found = await new StateTable(TABLE, client, 0).exemptionsOf([...records, records[0]!]);

    // Assess
    const batches = dynamodb.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input.RequestItems?.[TABLE]?.Keys?.length);
    expect(batches).to.deep.equal([BATCH_GET_LIMIT, 1, 50]);
    expect(found.map((r) => r.ruleId).sort()).to.deep.equal(stored.map((r) => r.ruleId).sort());
  });

  it('fails with a StateTableError naming the table and the call, retryable as the SDK classified it', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    dynamodb.on(BatchGetItemCommand).rejects(awsError('ResourceNotFoundException', 'client', 400));
    dynamodb.on(BatchWriteItemCommand).rejects(awsError('ProvisionedThroughputExceededException', 'client', 400));
    const table = new StateTable(TABLE, client, 0);

    // Act
    const read = await table.exemptionsOf([recordFor('sgr-1')]).then(
      () => undefined,
      (error: unknown) => error,
    );
    const write = await table.recordExemptions([recordFor('sgr-1')]).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(read).to.be.instanceOf(StateTableError).and.include({ retryable: false });
    expect((read as Error).message).to.equal(
      `BatchGetItem on ${TABLE} failed: ResourceNotFoundException: ResourceNotFoundException happened`,
    );
    expect(write).to.be.instanceOf(StateTableError).and.include({ retryable: true });
  });

  it('gives up after four sends of keys DynamoDB keeps leaving unprocessed, with a retryable error', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    dynamodb
      .on(BatchGetItemCommand)
      .callsFake((input) => ({ Responses: {}, UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems[TABLE].Keys } } }));

    // Act
    const error = await new StateTable(TABLE, client, 0).exemptionsOf([recordFor('sgr-1')]).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(dynamodb.commandCalls(BatchGetItemCommand)).to.have.length(4);
    expect(error).to.be.instanceOf(StateTableError).and.include({ retryable: true });
  });

  it('skips an item that is not a complete exemption record instead of trusting half of it', () => {
    // Prepare
    const item = itemOfRecord(recordFor('sgr-1'));
    delete item['rule'];

    // Act
    const record = recordOfItem(item);

    // Assess
    expect(record).to.equal(undefined);
  });
});
