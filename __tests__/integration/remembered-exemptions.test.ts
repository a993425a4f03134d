/**
 * Exemptions hold in the sweep, proven against EC2 and DynamoDB: the deployer's world-open rule,
 * let stand at event time, is remembered in the state table and left in place by the sweep; an
 * ordinary violation beside it is still revoked.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import type { TestAccount } from './support/account';
import { replayAuthorize, scheduledEvent } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, made by a session of role voclabs (the deployer here).
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

/** The state table as the module creates it: partition key `id`, TTL attribute `expiration`. */
async function stateTable(account: TestAccount): Promise<{ name: string; dynamodb: DynamoDBClient }> {
  const dynamodb = account.client(DynamoDBClient);
  const name = 'sg-sentry-state';
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return { name, dynamodb };
}

integrationSuite('exemptions remembered for the sweep', (emulator) => {
  it('keeps a rule the exempt deployer made through the next sweep, and still revokes the violation nobody exempted', async () => {
    // Prepare: the deployer's event, judged exempt at event time
    const account = await emulator.freshAccount();
    const { name, dynamodb } = await stateTable(account);
    const group = await account.createGroup('deployed');
    const { event, created } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const env = {
      SENTRY_STATE_TABLE: name,
      SENTRY_POLICY: JSON.stringify({ exempt_principals: [`arn:aws:iam::${account.accountId}:role/voclabs`] }),
    };
    const atEventTime = await account.runHandler(event, env);
    expect(atEventTime.result.findings[0]).to.include({ verdict: 'exempt' });
    // An hour later someone opens RDP to the world, and that event never arrives.
    await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);

    // Act
    const sweep = await account.runHandler(scheduledEvent(account), env);

    // Assess
    expect(sweep.thrown, sweep.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 0.0.0.0/0']);
    expect(sweep.result.counts).to.include({ violations: 1, revoked: 1, exempt: 1 });
    const items = (await dynamodb.send(new ScanCommand({ TableName: name }))).Items ?? [];
    expect(items.map((i) => i.id?.S)).to.deep.equal([`exempt#${account.accountId}#${account.region}#${created[0]?.SecurityGroupRuleId}`]);
    expect(Number(items[0]?.expiration?.N)).to.be.greaterThan(Date.now() / 1000 + 80 * 24 * 3600);
  });

  it('revokes that rule in the sweep without a state table, which is why the module creates one', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('deployed');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const env = { SENTRY_POLICY: JSON.stringify({ exempt_principals: [`arn:aws:iam::${account.accountId}:role/voclabs`] }) };
    await account.runHandler(event, env);

    // Act
    const sweep = await account.runHandler(scheduledEvent(account), env);

    // Assess
    expect(sweep.thrown, sweep.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
  });

  it('still handles the event and notifies when the state table does not exist, and logs why nothing was remembered', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('deployed');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const env = {
      SENTRY_STATE_TABLE: 'no-such-table',
      SENTRY_TOPIC_ARN: inbox.topicArn,
      SENTRY_POLICY: JSON.stringify({ exempt_principals: [`arn:aws:iam::${account.accountId}:role/voclabs`] }),
    };

    // Act
    const run = await account.runHandler(event, env);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.logs.find((l) => l.message === 'sg-sentry could not remember exemptions')).to.include({ level: 'error' });
    expect((await inbox.drain()).map((n) => n.attributes.action)).to.deep.equal(['exempt']);
  });
});
