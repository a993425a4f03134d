/**
 * One central function for several accounts: an event forwarded from a member account is handled
 * in that account, through its member role (moto's AssumeRole hands out credentials that act in
 * the role's account), and never with the central account's own credentials.
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const MEMBER_ROLE = { SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member' };

integrationSuite('an organization: events of member accounts', (emulator) => {
  it('revokes an event of a second account in that account, and changes nothing in the central one', async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    const { event } = await replayAuthorize(member, fixture(SSH_WORLD), group);
    const centralGroup = await central.createGroup('web');
    await central.authorize(centralGroup, 'ingress', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);

    // Act
    const run = await central.runHandler(event, MEMBER_ROLE);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result).to.include({ account: member.accountId });
    expect(run.result.findings.map((f: any) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 revoked']);
    expect(await member.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(await central.ruleLines(centralGroup)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 0.0.0.0/0']);
  });

  it('changes nothing and does not throw for a second account\'s event when no member role is configured', async () => {
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
