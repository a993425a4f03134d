/**
 * The EC2 and SNS clients of the in-process cost scenarios (state table, Security Hub), mocked
 * with aws-sdk-client-mock: every EC2 call succeeds, a group has no tags, a Modify's rule ids
 * read as ssh from anywhere, and a Publish is accepted.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { answerDescribeGroups } from '../__tests__/helpers/describe-groups-mock';

export function mockEventClients() {
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  ec2.onAnyCommand().resolves({});
  answerDescribeGroups(ec2);
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: { SecurityGroupRuleIds?: string[] }) => ({
    SecurityGroupRules: (input.SecurityGroupRuleIds ?? []).map((id) => ({
      SecurityGroupRuleId: id,
      GroupId: 'sg-0632fa4ee8a8468a4',
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIpv4: '0.0.0.0/0',
    })),
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  return { ec2, sns };
}
