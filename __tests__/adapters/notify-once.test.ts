/**
 * The one-notification-per-event gate over DynamoDB (Powertools' idempotency utility), its calls
 * stubbed with aws-sdk-client-mock: what it writes, what a second delivery, a concurrent one, a
 * failed notification and an unreachable table lead to. The key is the real console sample's
 * CloudTrail event id.
 */
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { NOTIFICATION_RECORD_SECONDS, NotifyOnceTable } from '../../function/adapters/notify-once';
import { NotificationInProgressError } from '../../function/core/errors';
import { awsError } from '../helpers/aws-errors';
import { fixture } from '../helpers/fixtures';

const TABLE = 'sg-sentry-state';
const EVENT_ID = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole').eventID as string;

function existing(status: 'COMPLETED' | 'INPROGRESS'): ConditionalCheckFailedException {
  const now = Date.now();
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: {
      id: { S: 'sg-sentry-notification#abc' },
      status: { S: status },
      expiration: { N: String(Math.floor(now / 1000) + 3600) },
      ...(status === 'INPROGRESS'
        ? { in_progress_expiration: { N: String(now + 60_000) } }
        : { data: { M: { notified: { BOOL: true } } } }),
    },
  });
}

/** The gate as the handler binds it: the invocation has 30 s left. */
function gate(clientConfig: Record<string, unknown> = { region: 'us-east-1' }): NotifyOnceTable {
  const table = new NotifyOnceTable(TABLE, clientConfig);
  table.bind({ getRemainingTimeInMillis: () => 30_000 });
  return table;
}

describe('NotifyOnceTable (Powertools idempotency over DynamoDB)', () => {
  const dynamodb = mockClient(DynamoDBClient);
  let sent = 0;
  const send = async () => {
    sent += 1;
  };

  beforeEach(() => {
    dynamodb.reset();
    sent = 0;
  });
  after(() => dynamodb.restore());

  it("sends the first delivery's notification between an in-progress put and a completed update that expires in 48 hours", async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(UpdateItemCommand).resolves({});

    // Act
    const outcome = await gate().once(EVENT_ID, send);

    // Assess
    expect(outcome).to.deep.equal({ outcome: 'sent' });
    expect(sent).to.equal(1);
    const put = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.TableName).to.equal(TABLE);
    expect(put?.Item?.['id']?.S).to.match(/^sg-sentry-notification#[A-Za-z0-9+/]{22}==$/);
    expect(put?.Item?.['status']).to.deep.equal({ S: 'INPROGRESS' });
    expect(put?.ConditionExpression).to.contain('attribute_not_exists(#id)');
    // In progress until the invocation would time out, so a delivery that died does not block its retries for 48 hours.
    expect(Number(put?.Item?.['in_progress_expiration']?.N) - Date.now()).to.be.within(29_000, 30_001);
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(update?.Key).to.deep.equal({ id: put?.Item?.['id'] });
    const expiry = Number(update?.ExpressionAttributeValues?.[':expiry']?.N);
    expect(expiry - Date.now() / 1000).to.be.within(NOTIFICATION_RECORD_SECONDS - 60, NOTIFICATION_RECORD_SECONDS + 1);
    expect(update?.ExpressionAttributeValues?.[':status']).to.deep.equal({ S: 'COMPLETED' });
  });

  it('keys the record by the event id: two ids, two records; the same id, the same record', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(UpdateItemCommand).resolves({});
    const table = gate();

    // Act
    await table.once(EVENT_ID, send);
    await table.once('another-event-id', send);
    await table.once(EVENT_ID, send);

    // Assess
    const ids = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item?.['id']?.S);
    expect(ids[0]).to.equal(ids[2]);
    expect(ids[0]).not.to.equal(ids[1]);
  });

  it('sends nothing for a delivery whose event already completed its notification', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(existing('COMPLETED'));

    // Act
    const outcome = await gate().once(EVENT_ID, send);

    // Assess
    expect(outcome).to.deep.equal({ outcome: 'duplicate' });
    expect(sent).to.equal(0);
  });

  it('fails retryably while another delivery of the event is notifying', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(existing('INPROGRESS'));

    // Act
    const error = await gate()
      .once(EVENT_ID, send)
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(error).to.be.instanceOf(NotificationInProgressError);
    expect(sent).to.equal(0);
  });

  it('deletes the record when the notification fails, so that the retry notifies, and passes the failure on', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(DeleteItemCommand).resolves({});
    const failure = new Error('SNS said no');

    // Act
    const error = await gate()
      .once(EVENT_ID, async () => Promise.reject(failure))
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(error).to.equal(failure);
    expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input.Key)).to.deep.equal([
      { id: dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.['id'] },
    ]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).to.have.length(0);
  });

  it('notifies anyway when the table cannot be reached, and says it is unrecorded', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(awsError('AccessDeniedException', 'client', 400));

    // Act
    const outcome = await gate().once(EVENT_ID, send);

    // Assess
    expect(sent).to.equal(1);
    expect(outcome).to.have.property('outcome', 'unrecorded');
    expect((outcome as { reason: string }).reason).to.match(/^sg-sentry-state: Failed to save in progress record to idempotency store: /);
  });

  it('does not notify twice when the completion cannot be saved after sending', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(UpdateItemCommand).rejects(awsError('InternalServerError', 'server', 500));

    // Act
    const outcome = await gate({ region: 'us-east-1', maxAttempts: 1 }).once(EVENT_ID, send);

    // Assess
    expect(sent).to.equal(1);
    expect(outcome).to.have.property('outcome', 'unrecorded');
  });
});
