/**
 * CreateSecurityGroup at the ports: under an egress allowlist that does not cover all traffic,
 * the new group's default egress rule is read and judged at once; under one that does (the
 * default policy), nothing is called.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { Ec2CallError } from '../../function/core/errors';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { changeOf, engineContext } from './support';

// Real Terraform sample (2020): CreateSecurityGroup of sg-04d018d184a18f647 in vpc-a1a044c7.
const CREATE = 'create-security-group-terraform-2020';
const GROUP = 'sg-04d018d184a18f647';
const EGRESS_PRIVATE = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };

/** EC2 right after the call: the new group with the default egress rule EC2 gives it. */
function account(): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, groupName: 'prod-webapp-webserver-security', vpcId: 'vpc-a1a044c7' });
  ec2.addRule({
    direction: 'egress',
    groupId: GROUP,
    ruleId: 'sgr-0aaaaaaaaaaaaaaa1',
    protocol: '-1',
    source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
  });
  return ec2;
}

describe('engine on CreateSecurityGroup', () => {
  it("reads the new group's egress rules and revokes the default one by id when egress is restricted", async () => {
    // Prepare
    const change = changeOf(CREATE);
    const ec2 = account();
    const { ctx, notifier } = engineContext(EGRESS_PRIVATE, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    // The tags are read too, for the exception tag the policy honours by default.
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups', 'revokeRuleIds']);
    expect(ec2.callsOf('describeRules')).to.deep.equal([{ groupIds: [GROUP] }]);
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings.map((f) => `${f.direction} ${f.protocol} ${f.source} ${f.action}`)).to.deep.equal([
      'egress -1 0.0.0.0/0 revoked',
    ]);
    expect(report.group_name).to.equal('prod-webapp-webserver-security');
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['revoked']);
  });

  it('calls nothing and tells nobody under the default policy, which allows all egress', async () => {
    // Prepare
    const change = changeOf(CREATE);
    const ec2 = account();
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([]);
    expect(report.findings).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('reports the default egress rule as failed, not silence, when EC2 refuses to describe the new group', async () => {
    // Prepare
    const change = changeOf(CREATE);
    const ec2 = account().failOn(
      'describeRules',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier } = engineContext(EGRESS_PRIVATE, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.direction} ${f.source} ${f.verdict} ${f.action}`)).to.deep.equal([
      'egress 0.0.0.0/0 violation failed',
    ]);
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['failed']);
  });
});
