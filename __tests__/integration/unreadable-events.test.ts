/**
 * Watched events sg-sentry cannot read, through the built bundle against an AWS-compatible API:
 * the group the record still names is judged as EC2 holds it now, and its world-open rule is
 * revoked; an event that names no group is logged at error level and notified as "could not be
 * checked".
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

integrationSuite('a watched event that cannot be read', (emulator) => {
  it("revokes the world-open rule the call created, found among the named group's current rules, though the record's response is null", async () => {
    // Prepare: the real call made, then its record damaged as a forwarder might
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('web');
    await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    event.detail.responseElements = null;
    event.detail.requestParameters.ipPermissions.items[0].fromPort = 'twenty-two';

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 443-443 0.0.0.0/0']);
    expect(run.result.unreadable_event.judged_groups).to.deep.equal([group]);
    const [notification] = await inbox.drain();
    expect(notification?.attributes.action).to.equal('revoked');
  });

  it('logs at error level and notifies "could not be checked" when the record names no group', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    event.detail.requestParameters = null;
    event.detail.responseElements = null;

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.logs.filter((l) => l.message === 'sg-sentry could not check event').map((l) => l.level)).to.deep.equal(['error']);
    const received = await inbox.drain();
    expect(received.map((n) => n.attributes.action)).to.deep.equal(['could-not-check']);
    expect(received[0]?.subject).to.match(/^sg-sentry: could not check AuthorizeSecurityGroupIngress /);
  });
});
