/**
 * ModifySecurityGroupRules events through the built bundle: the event does not say the rule's
 * direction, so the function looks the rule up in EC2 and revokes it by its id.
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayModify } from './support/events';
import { integrationSuite } from './support/suite';

// Derived from the real console Authorize sample (see derived/SOURCES.md): rule sgr-09be5c962afdc06ed
// edited in place to tcp/22 from 0.0.0.0/0, the update given as one object.
const MODIFY_OBJECT = 'derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole';
// Derived from the same sample: two updates as an array with string ports, 10.20.0.0/16:22 and
// 0.0.0.0/0:3389 (protocol written "6").
const MODIFY_ARRAY = 'derived/modify-rules-array-form-string-ports-from-ssh-world-rule-ids-console-assumedrole';

const privateSsh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.20.0.0/16' }] };
const privatePostgres = { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.30.0.0/16' }] };

integrationSuite('a ModifySecurityGroupRules event, end to end against EC2', (emulator) => {
  it("looks the modified rule up and revokes it by its id, leaving the group's other rules", async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('db');
    const [ssh] = await account.authorize(group, 'ingress', [privateSsh]);
    await account.authorize(group, 'ingress', [privatePostgres]);
    const ruleId = ssh?.SecurityGroupRuleId ?? '';
    const { event, created } = await replayModify(account, fixture(MODIFY_OBJECT), group, { 'sgr-09be5c962afdc06ed': ruleId });
    expect(created.map((r) => r.CidrIpv4)).to.deep.equal(['0.0.0.0/0']);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect((await account.rules(group)).map((r) => r.SecurityGroupRuleId)).to.not.include(ruleId);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0', 'ingress tcp 5432-5432 10.30.0.0/16']);
    expect(run.result.findings).to.have.length(1);
    expect(run.result.findings[0]).to.include({ rule_id: ruleId, direction: 'ingress', verdict: 'violation', action: 'revoked' });
  });

  it('revokes the update that opened RDP to the world and keeps the one narrowed to a private range', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('bastion');
    const [first] = await account.authorize(group, 'ingress', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ]);
    const [second] = await account.authorize(group, 'ingress', [
      { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '10.40.0.0/16' }] },
    ]);
    const ids = { 'sgr-09be5c962afdc06ed': first?.SecurityGroupRuleId ?? '', 'sgr-0aa0c1d2e3f405060': second?.SecurityGroupRuleId ?? '' };
    const { event } = await replayModify(account, fixture(MODIFY_ARRAY), group, ids);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const left = await account.rules(group);
    expect(left.map((r) => r.SecurityGroupRuleId)).to.include(ids['sgr-09be5c962afdc06ed']);
    expect(left.map((r) => r.SecurityGroupRuleId)).to.not.include(ids['sgr-0aa0c1d2e3f405060']);
    expect(left.filter((r) => !r.IsEgress).map((r) => `${r.FromPort} ${r.CidrIpv4}`)).to.deep.equal(['22 10.20.0.0/16']);
  });
});
