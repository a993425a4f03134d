/**
 * The sweep never drops a rule it cannot read: EC2 may list a protocol or a source kind
 * sg-sentry does not know. Such a rule is reported as a violation "cannot be evaluated",
 * counted, and left in place (nothing says what it opens).
 */
import { expect } from 'chai';
import { processSweep } from '../../function/core/sweep';
import type { UnreadableRule } from '../../function/core/ports';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { ACCOUNT, REAL_ITEM, REGION } from '../sweep/account';
import { engineContext } from './support';

const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2026-11-27T10:00:00Z' };
const GROUP = REAL_ITEM.groupId;

/** The real item's rule with a source the adapter does not know, as it reports it. */
const UNREADABLE: UnreadableRule = {
  groupId: GROUP,
  ruleId: 'sgr-0aaaaaaaaaaaaaaa1',
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  source: 'unknown source',
  problem: 'it names no source sg-sentry knows (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo)',
};

/** The group of the real item, holding that rule and the real world-open ssh rule. */
function account(): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, groupName: 'web' });
  ec2.addRule({
    direction: 'ingress',
    groupId: GROUP,
    ruleId: REAL_ITEM.securityGroupRuleId,
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
  });
  ec2.addUnreadable(UNREADABLE);
  return ec2;
}

describe('sweep, on rules it cannot read', () => {
  it('reports and counts a rule it cannot read as a violation that cannot be evaluated, and leaves it in place', async () => {
    // Prepare
    const ec2 = account();
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(report.counts).to.include({ rules: 2, violations: 2, revoked: 1, cannot_evaluate: 1 });
    const unreadable = report.findings.find((f) => f.rule_id === UNREADABLE.ruleId);
    expect(unreadable).to.include({ verdict: 'violation', action: 'none', group_id: GROUP, source_kind: 'unknown' });
    expect(unreadable?.reason).to.match(/^cannot be evaluated: it names no source/);
    expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([
      { direction: 'ingress', groupId: GROUP, ruleIds: [REAL_ITEM.securityGroupRuleId] },
    ]);
    const [summary] = notifier.published;
    expect(summary?.subject).to.contain('1 rule cannot be evaluated');
    expect(summary?.email).to.contain('cannot be evaluated: it names no source');
  });

  it('sends a summary when the only finding is a rule it cannot read', async () => {
    // Prepare
    const ec2 = new InMemoryEc2().addUnreadable(UNREADABLE);
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(report.counts).to.include({ rules: 1, violations: 1, cannot_evaluate: 1, revoked: 0 });
    expect(report.verdict).to.equal('violation');
    expect(notifier.published).to.have.length(1);
  });

  it('reports a rule it cannot read in an excluded group as exempt, not as a violation', async () => {
    // Prepare
    const ec2 = account();
    const { ctx } = engineContext({ exclude_groups: [GROUP] }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(report.counts).to.include({ rules: 2, violations: 0, exempt: 2, cannot_evaluate: 0 });
    expect(report.findings.find((f) => f.rule_id === UNREADABLE.ruleId)?.verdict).to.equal('exempt');
  });
});
