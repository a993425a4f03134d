/**
 * The scheduled sweep through the built bundle, over a whole (fresh) account: every rule EC2
 * lists is judged, violations are revoked in EC2, allowed rules stay, one summary is published.
 */
import { expect } from 'chai';
import { scheduledEvent } from './support/events';
import { integrationSuite } from './support/suite';

const world = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });

integrationSuite('the scheduled sweep, end to end against EC2', (emulator) => {
  it('revokes the violations of every group in the account, keeps the allowed rules and publishes one summary', async () => {
    // Prepare: rules that exist already, as if their events never arrived.
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const web = await account.createGroup('web');
    const db = await account.createGroup('db');
    await account.authorize(web, 'ingress', [world(22), world(443)]);
    await account.authorize(web, 'ingress', [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]);
    await account.authorize(db, 'ingress', [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }]);
    await account.authorize(db, 'ingress', [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: web }] }]);
    await account.authorize(db, 'ingress', [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '198.51.100.0/24' }] }]);

    // Act
    const run = await account.runHandler(scheduledEvent(account), { SENTRY_TOPIC_ARN: inbox.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(web)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 443-443 0.0.0.0/0']);
    expect(await account.ruleLines(db)).to.deep.equal(['egress -1 0.0.0.0/0', `ingress -1 ${web}`, 'ingress tcp 5432-5432 10.20.0.0/16']);
    expect(run.result).to.include({ kind: 'sweep', account: account.accountId, region: account.region, incomplete: false });
    expect(run.result.counts).to.include({ violations: 3, revoked: 3, failed: 0 });
    const notifications = await inbox.drain();
    expect(notifications).to.have.length(1);
    expect(notifications[0]?.attributes).to.include({ event_name: 'Scheduled Event', action: 'revoked', group_id: 'multiple' });
  });

  it('changes nothing in EC2 in report mode and still publishes the one summary', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const web = await account.createGroup('web');
    await account.authorize(web, 'ingress', [world(22)]);
    const before = await account.ruleLines(web);

    // Act
    const run = await account.runHandler(scheduledEvent(account), { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_POLICY: '{"mode":"report"}' });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(web)).to.deep.equal(before);
    expect(run.result.counts).to.include({ violations: 1, reported: 1, revoked: 0 });
    const notifications = await inbox.drain();
    expect(notifications.map((n) => n.attributes.action)).to.deep.equal(['would-revoke']);
  });
});
