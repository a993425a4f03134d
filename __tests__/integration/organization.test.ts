/**
 * One central function for several accounts: an event forwarded from a member account is handled
 * in that account, through its member role (moto's AssumeRole hands out credentials that act in
 * the role's account), and never with the central account's own credentials.
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import type { TestAccount } from './support/account';
import { replayAuthorize, scheduledEvent, sqsEventOf } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const MEMBER_ROLE = { SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member' };
const REGIONS = ['us-east-1', 'eu-west-1'];
const world = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });

integrationSuite('an organization: events of member accounts', (emulator) => {
  it('revokes an event of a second account in that account, and changes nothing in the central one', async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    const { event } = await replayAuthorize(member, fixture(SSH_WORLD), group);
    const centralGroup = await central.createGroup('web');
    await central.authorize(centralGroup, 'ingress', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ]);

    // Act
    const run = await central.runHandler(event, MEMBER_ROLE);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result).to.include({ account: member.accountId });
    expect(run.result.findings.map((f: any) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 revoked']);
    expect(await member.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(await central.ruleLines(centralGroup)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 0.0.0.0/0']);
  });

  it("changes nothing and does not throw for a second account's event when no member role is configured", async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    const { event } = await replayAuthorize(member, fixture(SSH_WORLD), group);

    // Act
    const run = await central.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result).to.include({ status: 'ignored' });
    expect(run.logs.map((l) => `${l.level} ${l.message}`)).to.deep.equal(['warn sg-sentry ignored event']);
    expect(await member.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 0.0.0.0/0']);
  });

  it('treats an event whose envelope names another account than its record as invalid, and changes nothing', async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    const { event } = await replayAuthorize(member, fixture(SSH_WORLD), group);
    const mismatched = { ...event, account: central.accountId };

    // Act
    const run = await central.runHandler(mismatched, MEMBER_ROLE);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result).to.include({ status: 'invalid' });
    expect(run.result.problems).to.deep.equal([
      `account: "${central.accountId}" differs from detail.recipientAccountId "${member.accountId}"`,
    ]);
    expect(await member.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 0.0.0.0/0']);
  });
});

integrationSuite('an organization: the sweep fanned out through the sweep queue', (emulator) => {
  it('dispatches one message per account and region, and the consumer revokes in all four with no failures', async () => {
    // Prepare: two member accounts, a world-open SSH rule in each of two regions of each.
    const central = await emulator.freshAccount({ region: REGIONS[0] });
    const members = [await emulator.freshAccount({ region: REGIONS[0] }), await emulator.freshAccount({ region: REGIONS[0] })];
    const groups = new Map<TestAccount, string>();
    for (const member of members) {
      for (const region of REGIONS) {
        const here = member.inRegion(region);
        const group = await here.createGroup('web');
        await here.authorize(group, 'ingress', [world(22), world(443)]);
        groups.set(here, group);
      }
    }
    const queue = await central.sqs.send(new CreateQueueCommand({ QueueName: 'sg-sentry-sweep' }));
    const env = {
      ...MEMBER_ROLE,
      SENTRY_SWEEP_QUEUE_URL: queue.QueueUrl!,
      SENTRY_SWEEP_ACCOUNTS: JSON.stringify(members.map((m) => m.accountId)),
      SENTRY_SWEEP_REGIONS: JSON.stringify(REGIONS),
    };

    // Act: the schedule dispatches; then the consumer gets the queue's messages as an SQS event.
    const dispatch = await central.runHandler(scheduledEvent(central), env);
    const batch = await sqsEventOf(central, queue.QueueUrl!);
    const consume = await central.runHandler(batch, env);

    // Assess
    expect(dispatch.thrown, dispatch.stderr).to.equal(undefined);
    expect(dispatch.result).to.include({ status: 'dispatched', targets: 4 });
    expect(
      batch.Records.map((r) => JSON.parse(String(r.body))).sort((a, b) =>
        `${a.account}${a.region}`.localeCompare(`${b.account}${b.region}`),
      ),
    ).to.deep.equal(
      members
        .flatMap((m) => REGIONS.map((region) => ({ account: m.accountId, region })))
        .sort((a, b) => `${a.account}${a.region}`.localeCompare(`${b.account}${b.region}`)),
    );
    expect(consume.thrown, consume.stderr).to.equal(undefined);
    expect(consume.result).to.deep.equal({ batchItemFailures: [] });
    for (const [here, group] of groups) {
      expect(await here.ruleLines(group), `${here.accountId} ${here.region}`).to.deep.equal([
        'egress -1 0.0.0.0/0',
        'ingress tcp 443-443 0.0.0.0/0',
      ]);
    }
  });

  it('does not return a malformed record for retry, and sweeps the well-formed one beside it', async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    await member.authorize(group, 'ingress', [world(3389)]);
    const record = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: messageId,
      body,
      attributes: {},
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:sg-sentry-sweep',
      awsRegion: 'us-east-1',
    });
    const batch = {
      Records: [
        record('malformed', '{"account": "me"}'),
        record('good', JSON.stringify({ account: member.accountId, region: member.region })),
      ],
    };

    // Act
    const run = await central.runHandler(batch, MEMBER_ROLE);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result).to.deep.equal({ batchItemFailures: [] });
    expect(run.logs.filter((l) => l.message === 'sg-sentry sweep job invalid').map((l) => l.message_id)).to.deep.equal(['malformed']);
    expect(await member.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
  });
});
