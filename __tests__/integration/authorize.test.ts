/**
 * Authorize events through the built bundle against an AWS-compatible API: what EC2 holds after
 * the function ran is asserted, not what the function says it did.
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
// Derived from SSH_WORLD (see derived/SOURCES.md): 10.1.0.0/16:22, 0.0.0.0/0:22, 0.0.0.0/0:443 in one call.
const MULTI_SOURCE = 'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole';
// Real Go SDK sample without rule ids in its response (older records): tcp/22 from 0.0.0.0/0.
const SSH_WORLD_NO_IDS = 'authorize-ingress-ssh-world-go-sdk-no-rule-ids';
// Real CLI sample from an instance role: egress tcp/4444 to 73.21.4.36/32 (account anonymized as 000000000).
const EGRESS_4444 = 'authorize-egress-tcp4444-rule-ids-cli-instance-role';
// Derived from SSH_WORLD_NO_IDS: the default-VPC form, `groupName: "default"` and no group id.
const GROUP_NAME_FORM = 'derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk';

integrationSuite('an Authorize event, end to end against EC2', (emulator) => {
  it('revokes the world-open rule of a real console event in EC2 and leaves the private rule that was already there', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('web');
    await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.1.0.0/16' }] }]);
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 0.0.0.0/0');

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 10.1.0.0/16']);
    expect(run.result.findings.map((f: any) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 revoked']);
  });

  it('revokes only the violating rule of a three-permission call and keeps the private and HTTPS rules it created', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('mixed');
    const { event, created } = await replayAuthorize(account, fixture(MULTI_SOURCE), group);
    expect(created).to.have.length(3);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal([
      'egress -1 0.0.0.0/0',
      'ingress tcp 22-22 10.1.0.0/16',
      'ingress tcp 443-443 0.0.0.0/0',
    ]);
  });

  it('revokes a world-open rule by its content when the record carries no rule ids', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('legacy');
    const { event, record } = await replayAuthorize(account, fixture(SSH_WORLD_NO_IDS), group);
    expect(record.responseElements?.securityGroupRuleSet).to.equal(undefined);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
  });

  it("revokes an egress rule to a host outside an egress allowlist with RevokeSecurityGroupEgress and leaves the group's other egress rule, which the event did not touch", async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('app');
    const { event } = await replayAuthorize(account, fixture(EGRESS_4444), group);
    // The default policy allows every egress; this one allows only private destinations.
    const policy = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };

    // Act
    const run = await account.runHandler(event, { SENTRY_POLICY: JSON.stringify(policy) });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0]).to.include({ direction: 'egress', source: '73.21.4.36/32', action: 'revoked' });
  });

  it('revokes the rule of the default group a record names only by name (no group id anywhere in it)', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.defaultGroupId();
    const { event, record } = await replayAuthorize(account, fixture(GROUP_NAME_FORM), group);
    expect(record.requestParameters).to.include({ groupName: 'default' }).and.not.have.property('groupId');
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 0.0.0.0/0');

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
  });

  it('leaves the rule of a default group named by name when exclude_groups names its id, found with DescribeSecurityGroups by name', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.defaultGroupId();
    const { event } = await replayAuthorize(account, fixture(GROUP_NAME_FORM), group);

    // Act
    const run = await account.runHandler(event, { SENTRY_POLICY: JSON.stringify({ exclude_groups: [group] }) });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 0.0.0.0/0');
    expect(run.result).to.include({ group_id: group, group_name: 'default' });
    expect(run.result.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
  });
});
