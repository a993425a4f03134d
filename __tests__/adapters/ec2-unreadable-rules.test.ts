/**
 * DescribeSecurityGroupRules items the adapter cannot read into a rule come back as
 * `unreadable`, each saying why, never dropped from the page.
 */
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeSecurityGroupRulesCommand, EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { fixture } from '../helpers/fixtures';

// The real console sample's created rule, in DescribeSecurityGroupRules' PascalCase.
const ITEM = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole').responseElements.securityGroupRuleSet.items[0];
const REAL: SecurityGroupRule = {
  GroupId: ITEM.groupId,
  SecurityGroupRuleId: ITEM.securityGroupRuleId,
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
};

describe('Ec2Adapter.describeRules, on items it cannot read', () => {
  const cases: readonly { what: string; item: SecurityGroupRule; problem: RegExp; source: string }[] = [
    {
      what: 'a source kind it does not know',
      item: { ...REAL, CidrIpv4: undefined },
      problem: /names no source/,
      source: 'unknown source',
    },
    {
      what: 'a protocol it does not know',
      item: { ...REAL, IpProtocol: 'sctp-v2' },
      problem: /unknown protocol "sctp-v2"/,
      source: 'CidrIpv4 0.0.0.0/0',
    },
    {
      what: 'a CIDR that does not parse',
      item: { ...REAL, CidrIpv4: '0.0.0.0/33' },
      problem: /"0.0.0.0\/33" is not a CIDR/,
      source: 'CidrIpv4 0.0.0.0/33',
    },
  ];
  for (const c of cases) {
    it(`returns ${c.what} as unreadable beside the rules it can read`, async () => {
      // Prepare
      const client = new EC2Client({ region: 'us-east-1' });
      const ec2 = mockClient(client);
      ec2
        .on(DescribeSecurityGroupRulesCommand)
        .resolves({ SecurityGroupRules: [REAL, { ...c.item, SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa1' }] });

      // Act
      const page = await new Ec2Adapter(client).describeRules({ groupIds: [ITEM.groupId] });

      // Assess
      expect(page.rules.map((r) => r.ruleId)).to.deep.equal([ITEM.securityGroupRuleId]);
      expect(page.unreadable).to.have.length(1);
      expect(page.unreadable?.[0]).to.include({
        groupId: ITEM.groupId,
        ruleId: 'sgr-0aaaaaaaaaaaaaaa1',
        direction: 'ingress',
        source: c.source,
      });
      expect(page.unreadable?.[0]?.problem).to.match(c.problem);
    });
  }
});
