/**
 * An Authorize event's rule ids are claims: the rule may have been edited in place since
 * (ModifySecurityGroupRules keeps the id), the event may be a replayed dead letter, or someone
 * with lambda:InvokeFunction may have written it. Violations of Authorize events are revoked by
 * their content, so only a rule that still has the offending content can go.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { Ec2CallError } from '../../function/core/errors';
import { accountAfter, changeOf, engineContext } from './support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const MULTI = 'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole';
const GROUP = 'sg-0632fa4ee8a8468a4';
const RULE = 'sgr-09be5c962afdc06ed';

describe('Authorize violations are revoked by content, never by the id the event claims', () => {
  it('leaves a rule that was fixed in place (same id, now 10.0.0.0/8) when the late Authorize event arrives', async () => {
    // Prepare: EC2 after the Authorize, and after someone narrowed the rule with ModifySecurityGroupRules
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter({
      ...change,
      rules: change.rules.map((r) => ({ ...r, source: { kind: 'cidr', cidr: '10.0.0.0/8', family: 'ipv4' } })),
    });
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules().map((r) => `${r.ruleId} ${r.source.kind === 'cidr' ? r.source.cidr : ''}`)).to.deep.equal([`${RULE} 10.0.0.0/8`]);
    expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([]);
    expect(report.findings[0]).to.include({ rule_id: RULE, verdict: 'violation', action: 'already-removed' });
  });

  it('leaves a legitimate rule alone when a forged event names its id with world-open content', async () => {
    // Prepare: the group holds a private SSH rule under that id; the event claims it is 0.0.0.0/0
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter({ ...change, rules: [] });
    ec2.addRule({
      direction: 'ingress',
      groupId: GROUP,
      ruleId: RULE,
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '10.1.0.0/16', family: 'ipv4' },
    });
    const { ctx } = engineContext({}, ec2);

    // Act
    await processChange(change, ctx);

    // Assess
    expect(ec2.rules().map((r) => r.ruleId)).to.deep.equal([RULE]);
  });

  it('revokes the offending content with one call per group and direction, by group id and exact permission', async () => {
    // Prepare
    const change = changeOf(MULTI);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({}, ec2);

    // Act
    await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions']);
    const request = ec2.callsOf('revokePermissions')[0] as {
      groupId: string;
      direction: string;
      rules: { source: { cidr: string }; fromPort: number }[];
    };
    expect([request.groupId, request.direction, request.rules.map((r) => `${r.source.cidr}:${r.fromPort}`)]).to.deep.equal([
      GROUP,
      'ingress',
      ['0.0.0.0/0:22'],
    ]);
    expect(ec2.rules().map((r) => r.ruleId)).to.deep.equal(['sgr-01a1a1a1a1a1a1a11', 'sgr-03c3c3c3c3c3c3c33']);
  });

  it('still revokes the others when EC2 fails the whole batch for one permission it no longer has (InvalidPermission.NotFound)', async () => {
    // Prepare: world SSH and world RDP; the SSH one is gone; EC2 (outside the default VPC) refuses the batch
    const change = changeOf(MULTI, (record) => {
      record.requestParameters.ipPermissions.items[1].fromPort = 3389;
      record.requestParameters.ipPermissions.items[1].toPort = 3389;
      Object.assign(record.responseElements.securityGroupRuleSet.items[2], { fromPort: 3389, toPort: 3389 });
    });
    const ec2 = accountAfter({
      ...change,
      rules: change.rules.filter((r) => r.fromPort !== 22 || r.source.kind !== 'cidr' || r.source.cidr !== '0.0.0.0/0'),
    });
    ec2.failOn(
      'revokePermissions',
      new Ec2CallError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.', false),
      {
        when: (request) => request.rules.length > 1,
      },
    );
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.callsOf('revokePermissions').map((r) => (r as { rules: unknown[] }).rules.length)).to.deep.equal([2, 1, 1]);
    expect(report.findings.filter((f) => f.verdict === 'violation').map((f) => `${f.from_port} ${f.action}`)).to.deep.equal([
      '22 already-removed',
      '3389 revoked',
    ]);
    expect(ec2.rules().some((r) => r.fromPort === 3389)).to.equal(false);
  });

  it('keeps the rule ids of the event in the report, so a reader can find the rule', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.rule_id} ${f.action}`)).to.deep.equal([`${RULE} revoked`]);
    expect(ec2.rules()).to.deep.equal([]);
  });
});
