/**
 * One notification per event through the built bundle against an AWS-compatible API: the state
 * table is a real DynamoDB table (key `id`), the notifications are read back from an SQS queue
 * subscribed to the topic, and the same event is delivered twice as EventBridge and Lambda may.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import type { TestAccount } from './support/account';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

/** The state table as the module creates it: partition key `id` (string). */
async function stateTable(account: TestAccount): Promise<{ name: string; items: () => Promise<Record<string, unknown>[]> }> {
  const dynamodb = account.client(DynamoDBClient);
  const name = 'sg-sentry-state';
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return { name, items: async () => (await dynamodb.send(new ScanCommand({ TableName: name }))).Items ?? [] };
}

integrationSuite('one notification per event, end to end against DynamoDB and SNS', (emulator) => {
  it('sends no second notification for a second delivery of the same event, and says duplicate', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const table = await stateTable(account);
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const env = { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_STATE_TABLE: table.name };
    const first = await account.runHandler(event, env);

    // Act
    const second = await account.runHandler(event, env);

    // Assess
    expect(first.thrown, first.stderr).to.equal(undefined);
    expect(second.thrown, second.stderr).to.equal(undefined);
    expect(await inbox.drain()).to.have.length(1);
    expect(first.result).not.to.have.property('duplicate');
    expect(second.result).to.include({ duplicate: true });
    expect(second.logs.find((l: any) => l.message === 'sg-sentry event')).to.include({ duplicate: true });
    const records = (await table.items()) as Record<string, { S?: string; N?: string }>[];
    expect(records.map((r) => r.status)).to.deep.equal([{ S: 'COMPLETED' }]);
    expect(Number(records[0]?.expiration?.N) - Date.now() / 1000).to.be.within(47 * 3600, 48 * 3600 + 60);
  });

  it('sends the notification on the retry of a delivery whose first notification failed', async () => {
    // Prepare: the first attempt publishes to a topic that does not exist, after its revoke
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const table = await stateTable(account);
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const missingTopic = inbox.topicArn.replace(/[^:]+$/, 'no-such-topic');
    const failed = await account.runHandler(event, { SENTRY_TOPIC_ARN: missingTopic, SENTRY_STATE_TABLE: table.name });

    // Act
    const retry = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_STATE_TABLE: table.name });

    // Assess
    expect(failed.thrown?.name, failed.stderr).to.equal('NotificationError');
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(retry.thrown, retry.stderr).to.equal(undefined);
    expect(retry.result).not.to.have.property('duplicate');
    const notifications = await inbox.drain();
    expect(notifications).to.have.length(1);
    expect(JSON.parse(String(notifications[0]?.message))).to.include({ event_id: event.detail.eventID });
  });
});
