/** The in-memory EC2 answers as EC2 does; engine tests and later features rely on it. */
import { expect } from 'chai';
import { Ec2CallError } from '../../function/core/errors';
import type { Rule } from '../../function/core/model/rule';
import { InMemoryEc2 } from './in-memory-ec2';

const GROUP = 'sg-0632fa4ee8a8468a4';
const ssh = (cidr: string): Omit<Rule, 'groupId'> => ({
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  source: { kind: 'cidr', cidr, family: 'ipv4' },
});

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Ec2CallError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('InMemoryEc2', () => {
  it('revokes by id all or nothing: one unknown id fails the call and removes nothing', async () => {
    // Prepare
    const ec2 = new InMemoryEc2();
    const kept = ec2.addRule({ ...ssh('0.0.0.0/0'), groupId: GROUP });

    // Act
    const code = await codeOf(ec2.revokeRuleIds({ direction: 'ingress', groupId: GROUP, ruleIds: [kept.ruleId, 'sgr-0000000000000dead'] }));

    // Assess
    expect(code).to.equal('InvalidSecurityGroupRuleId.NotFound');
    expect(ec2.rules()).to.deep.equal([kept]);
  });

  it('revokes by content whatever the description and host bits, and returns what it did not find', async () => {
    // Prepare
    const ec2 = new InMemoryEc2();
    ec2.addRule({ ...ssh('0.0.0.0/0'), groupId: GROUP, description: 'temporary' });

    // Act
    const result = await ec2.revokePermissions({ direction: 'ingress', groupId: GROUP, rules: [ssh('1.2.3.4/0'), ssh('10.0.0.0/8')] });

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(result.unknownRules).to.deep.equal([ssh('10.0.0.0/8')]);
  });

  it('refuses a whole authorize when one permission exists already', async () => {
    // Prepare
    const ec2 = new InMemoryEc2();
    ec2.addRule({ ...ssh('10.0.0.0/8'), groupId: GROUP });

    // Act
    const code = await codeOf(
      ec2.authorizePermissions({
        direction: 'ingress',
        groupId: GROUP,
        rules: [ssh('192.168.0.0/16'), { ...ssh('10.0.0.0/8'), description: 'x' }],
      }),
    );

    // Assess
    expect(code).to.equal('InvalidPermission.Duplicate');
    expect(ec2.rules()).to.have.length(1);
  });

  it('pages with a cursor, so rules revoked between pages do not make the next page skip any', async () => {
    // Prepare: six rules, read three at a time; the first page is revoked before the second is read.
    const ec2 = new InMemoryEc2();
    const all = [1, 2, 3, 4, 5, 6].map((n) => ec2.addRule({ ...ssh(`10.0.${n}.0/24`), groupId: GROUP }));
    const first = await ec2.describeRules({ groupIds: [GROUP], maxResults: 3 });
    await ec2.revokeRuleIds({ direction: 'ingress', groupId: GROUP, ruleIds: first.rules.map((r) => r.ruleId as string) });

    // Act
    const second = await ec2.describeRules({ groupIds: [GROUP], maxResults: 3, nextToken: first.nextToken });

    // Assess
    expect(second.rules.map((r) => r.ruleId)).to.deep.equal(all.slice(3).map((r) => r.ruleId));
    expect(second).to.not.have.property('nextToken');
  });

  it('fails every call that names a group it does not know with InvalidGroup.NotFound', async () => {
    // Prepare
    const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP });

    // Act
    const codes = [
      await codeOf(ec2.describeGroups([GROUP, 'sg-0000000000000dead'])),
      await codeOf(ec2.revokePermissions({ direction: 'ingress', groupId: 'sg-0000000000000dead', rules: [ssh('0.0.0.0/0')] })),
      await codeOf(ec2.authorizePermissions({ direction: 'ingress', groupId: 'sg-0000000000000dead', rules: [ssh('10.0.0.0/8')] })),
    ];

    // Assess
    expect(codes).to.deep.equal(['InvalidGroup.NotFound', 'InvalidGroup.NotFound', 'InvalidGroup.NotFound']);
  });
});
