/**
 * Authorize violations are revoked by their content, never by the rule id the event claims,
 * proven against EC2: a rule edited in place since the event, or a legitimate rule whose id a
 * forged event names, is still there afterwards.
 */
import { ModifySecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { clone, fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule id of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
// Derived from SSH_WORLD (see derived/SOURCES.md): 10.1.0.0/16:22, 0.0.0.0/0:22, 0.0.0.0/0:443 in one call.
const MULTI_SOURCE = 'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole';

integrationSuite('Authorize violations are revoked by content', (emulator) => {
  it('leaves a rule that was narrowed in place (ModifySecurityGroupRules, same id) before the late Authorize event arrived', async () => {
    // Prepare: the world-open rule is created, then fixed in place to a private range
    const account = await emulator.freshAccount();
    const group = await account.createGroup('fixed-in-place');
    const { event, created } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const ruleId = created[0]?.SecurityGroupRuleId;
    await account.ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: group,
        SecurityGroupRules: [
          { SecurityGroupRuleId: ruleId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '10.0.0.0/8' } },
        ],
      }),
    );

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect((await account.rules(group)).filter((r) => !r.IsEgress).map((r) => `${r.SecurityGroupRuleId} ${r.CidrIpv4}`)).to.deep.equal([
      `${ruleId} 10.0.0.0/8`,
    ]);
    expect(run.result.findings.map((f: any) => `${f.rule_id} ${f.action}`)).to.deep.equal([`${ruleId} already-removed`]);
  });

  it('leaves a legitimate rule whose id a forged event names with world-open content', async () => {
    // Prepare: a private SSH rule; an event copied from the real one, claiming that id was opened to the world
    const account = await emulator.freshAccount();
    const group = await account.createGroup('forged');
    const [legitimate] = await account.authorize(group, 'ingress', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.1.0.0/16' }] },
    ]);
    const { event, created } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    // The world rule the replay made is gone again: EC2 holds only the legitimate rule.
    await account.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: group, SecurityGroupRuleIds: [created[0]?.SecurityGroupRuleId ?? ''] }),
    );
    const forged = clone(event);
    forged.detail.responseElements.securityGroupRuleSet.items[0].securityGroupRuleId = legitimate?.SecurityGroupRuleId;

    // Act
    const run = await account.runHandler(forged);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 10.1.0.0/16']);
  });

  it('revokes the remaining violations when one of them was already removed by hand', async () => {
    // Prepare: the derived call with its HTTPS permission made RDP (private SSH, world SSH, world RDP), then someone removes the world SSH rule
    const account = await emulator.freshAccount();
    const group = await account.createGroup('partly-gone');
    const real = clone(fixture(MULTI_SOURCE));
    real.requestParameters.ipPermissions.items[1].fromPort = 3389;
    real.requestParameters.ipPermissions.items[1].toPort = 3389;
    Object.assign(real.responseElements.securityGroupRuleSet.items[2], { fromPort: 3389, toPort: 3389 });
    const { event, created } = await replayAuthorize(account, real, group);
    const ssh = created.find((r) => r.FromPort === 22 && r.CidrIpv4 === '0.0.0.0/0');
    expect(ssh).to.not.equal(undefined);
    await account.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: group, SecurityGroupRuleIds: [ssh?.SecurityGroupRuleId ?? ''] }),
    );

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 22-22 10.1.0.0/16']);
    expect(run.result.findings.filter((f: any) => f.verdict === 'violation').map((f: any) => `${f.from_port} ${f.action}`)).to.deep.equal([
      '22 already-removed',
      '3389 revoked',
    ]);
  });
});
