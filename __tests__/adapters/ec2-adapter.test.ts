import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { toEc2CallError } from '../../function/adapters/aws-error';
import { Ec2Adapter, ruleOfSecurityGroupRule, toIpPermission } from '../../function/adapters/ec2-adapter';
import { parseEvent } from '../../function/core/event/parse-event';
import type { Rule } from '../../function/core/model/rule';
import { awsError } from '../helpers/aws-errors';
import { envelope, fixture } from '../helpers/fixtures';

function rulesOf(name: string): readonly Rule[] {
  const parsed = parseEvent(envelope(fixture(name)));
  if (parsed.kind !== 'change') throw new Error(`${name} is not a change`);
  return parsed.change.rules;
}

describe('Ec2Adapter', () => {
  it('returns the rules EC2 lists in UnknownIpPermissions, so they are reported as already removed', async () => {
    // Prepare: the real v4+v6 MySQL sample; EC2 says the IPv6 half was not there.
    const client = new EC2Client({ region: 'ap-northeast-1' });
    const ec2 = mockClient(client);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({
      Return: true,
      UnknownIpPermissions: [{ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    const rules = rulesOf('authorize-ingress-mysql-world-v4-v6-console-no-rule-ids');

    // Act
    const result = await new Ec2Adapter(client).revokePermissions({ direction: 'ingress', groupId: 'sg-0fa72d6ba38a0ca4a', rules });

    // Assess
    expect(result.unknownRules.map((r) => r.source)).to.deep.equal([{ kind: 'cidr', cidr: '::/0', family: 'ipv6' }]);
  });

  it('asks DescribeSecurityGroups for a group by name, and reads its id, VPC and tags', async () => {
    // Prepare: the default-VPC group of the real go-sdk sample, as EC2 describes it.
    const client = new EC2Client({ region: 'us-east-1' });
    const ec2 = mockClient(client);
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{ GroupId: 'sg-0D921DF5D84F7270A', GroupName: 'default', VpcId: 'vpc-1', Tags: [{ Key: 'team', Value: 'web' }] }],
    });

    // Act
    const group = await new Ec2Adapter(client).describeGroupByName('default');

    // Assess
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).to.deep.equal({ GroupNames: ['default'] });
    expect(group).to.deep.equal({ groupId: 'sg-0d921df5d84f7270a', groupName: 'default', vpcId: 'vpc-1', tags: { team: 'web' } });
  });

  it('writes each source kind as the exact permission EC2 expects', () => {
    const [sgRule] = rulesOf('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1');
    const [plRule] = rulesOf('derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole');
    const [allRule] = rulesOf('authorize-egress-all-traffic-terraform-no-rule-ids');

    expect(toIpPermission(sgRule!)).to.deep.equal({
      IpProtocol: 'tcp',
      FromPort: 1521,
      ToPort: 1521,
      UserIdGroupPairs: [{ GroupId: 'sg-000537769a1c2d858' }],
    });
    expect(toIpPermission(plRule!, true)).to.deep.equal({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d4e5f60718', Description: 'office' }],
    });
    expect(toIpPermission(allRule!)).to.deep.equal({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
  });

  it('reads DescribeSecurityGroupRules items into rules, lower-casing ids and dropping ports of all-traffic rules', () => {
    const item = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole').responseElements.securityGroupRuleSet.items[0];

    const rule = ruleOfSecurityGroupRule({
      GroupId: item.groupId.toUpperCase().replace('SG-', 'sg-'),
      SecurityGroupRuleId: item.securityGroupRuleId,
      IsEgress: true,
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      ReferencedGroupInfo: { GroupId: 'sg-0ABC1234', UserId: '776520358045' },
    });

    expect(rule).to.deep.equal({
      direction: 'egress',
      groupId: 'sg-0632fa4ee8a8468a4',
      ruleId: 'sgr-09be5c962afdc06ed',
      protocol: '-1',
      source: { kind: 'security_group', groupId: 'sg-0abc1234', userId: '776520358045' },
    });
  });
});

describe('toEc2CallError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['throttling', awsError('RequestLimitExceeded', 'client', 503), true],
    ['a server fault', awsError('InternalError', 'server', 500), true],
    ['a missing permission', awsError('UnauthorizedOperation', 'client', 403), false],
    ['a rule that is gone', awsError('InvalidPermission.NotFound', 'client', 400), false],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), true],
  ];
  for (const [what, error, retryable] of cases) {
    it(`classifies ${what} as ${retryable ? 'retryable' : 'permanent'}`, () => {
      expect(toEc2CallError(error).retryable).to.equal(retryable);
    });
  }

  it('keeps the EC2 error code and chains the SDK error', () => {
    const sdk = awsError('InvalidGroup.NotFound', 'client', 400);

    const mapped = toEc2CallError(sdk);

    expect(mapped.code).to.equal('InvalidGroup.NotFound');
    expect(mapped.cause).to.equal(sdk);
  });
});
