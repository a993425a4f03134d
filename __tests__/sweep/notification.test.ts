import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeSecurityGroupRulesCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import type { EngineContext } from '../../function/core/ports';
import { parsePolicy } from '../../function/core/policy/policy';
import type { NotificationMessage } from '../../function/core/ports';
import { processSweep } from '../../function/core/sweep';
import { answerDescribeGroups } from '../helpers/describe-groups-mock';
import type { FakeSecurityGroupRule } from '../helpers/fake-aws';
import { ACCOUNT, accountRules, groupId, REAL_ITEM, REGION, sdkRule } from './account';

async function sweepOf(rules: readonly FakeSecurityGroupRule[], policy: Record<string, unknown> = {}): Promise<NotificationMessage[]> {
  const client = new EC2Client({ region: REGION });
  const ec2 = mockClient(client);
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: rules.map(sdkRule) });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  answerDescribeGroups(ec2);
  const published: NotificationMessage[] = [];
  const ctx: EngineContext = {
    policy: parsePolicy(policy),
    portsFor: () => ({ ec2: new Ec2Adapter(client) }),
    notifier: { publish: async (m) => void published.push(m) },
    log: () => {},
    now: () => new Date(0),
  };
  await processSweep({ eventId: 'e-1', account: ACCOUNT, region: REGION, time: '2025-06-01T00:00:00Z' }, ctx);
  return published;
}

describe('sweep summary notification', () => {
  it('puts the counts first, then each violation, for the real rule the account was grown from', async () => {
    // Prepare: the real tcp/22 from 0.0.0.0/0 rule, plus one allowed rule in the same group.
    const rules = [REAL_ITEM, { ...REAL_ITEM, securityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaaa', fromPort: 443, toPort: 443 }];

    // Act
    const [message] = await sweepOf(rules);

    // Assess
    expect(message?.subject).to.equal(`sg-sentry sweep: revoked 1 rule in ${REGION}, ${ACCOUNT}`);
    const lines = message?.email.split('\n') ?? [];
    expect(lines[0]).to.equal(`SWEEP of ${REGION} (account ${ACCOUNT}): 1 violation, 1 revoked, 0 restricted, 0 already removed, 0 failed`);
    expect(lines.indexOf('Counts')).to.be.lessThan(lines.indexOf('Violations (1)'));
    expect(message?.email).to.contain(`1. ${REAL_ITEM.groupId}: ingress tcp/22 from 0.0.0.0/0\n   action: revoked`);
    expect(message?.email).to.contain(`rule id: ${REAL_ITEM.securityGroupRuleId}`);
    expect(message?.attributes).to.deep.equal({ action: 'revoked', group_id: REAL_ITEM.groupId, event_name: 'Scheduled Event' });
    expect(JSON.parse(message?.json ?? '{}')).to.include({ kind: 'sweep', region: REGION });
  });

  it('names "multiple" groups and keeps the subject to 100 printable ASCII characters', async () => {
    const [message] = await sweepOf(accountRules(), { mode: 'report' });

    expect(message?.attributes.group_id).to.equal('multiple');
    expect(message?.attributes.action).to.equal('would-revoke');
    expect(message?.subject.length).to.be.at.most(100);
    expect(message?.subject).to.match(/^[\x20-\x7e]+$/);
    expect(message?.email).to.contain('(report mode: nothing was changed)');
    expect(message?.email).to.contain('… and 140 more in the JSON report');
  });

  it('is not sent when every rule is allowed, even with excluded groups carrying violations', async () => {
    const published = await sweepOf([REAL_ITEM], { exclude_groups: [REAL_ITEM.groupId] });

    expect(published).to.deep.equal([]);
  });

  it('is sent for a clean sweep when notify_allowed is set', async () => {
    const [message] = await sweepOf([{ ...REAL_ITEM, fromPort: 443, toPort: 443 }], { notify_allowed: true });

    expect(message?.subject).to.equal(`sg-sentry sweep: no violations in 1 rule in ${REGION}, ${ACCOUNT}`);
    expect(message?.attributes.group_id).to.equal('none');
  });

  it('escapes text from AWS (descriptions) in the email', async () => {
    const [message] = await sweepOf([{ ...REAL_ITEM, description: 'ok\nFAKE LINE\u202e' }]);

    expect(message?.email).to.contain('description: "ok\\u000aFAKE LINE\\u202e"');
  });

  it('groups the attribute by the violating group only', async () => {
    const rules = [REAL_ITEM, { ...REAL_ITEM, groupId: groupId(7), securityGroupRuleId: 'sgr-0bbbbbbbbbbbbbbbb', cidrIpv4: '10.0.0.0/8' }];

    const [message] = await sweepOf(rules);

    expect(message?.attributes.group_id).to.equal(REAL_ITEM.groupId);
  });
});
