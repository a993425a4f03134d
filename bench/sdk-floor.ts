/**
 * The floor under the time to revoke: the same two EC2 calls the bundle makes for the bench's
 * event (DescribeSecurityGroups for the group's tags, then RevokeSecurityGroupIngress of the rule
 * ids CloudTrail returned), sent through the same `@aws-sdk/client-ec2` client with the same
 * settings, and nothing else: no validation, no policy, no report. Built with the bundle's own
 * esbuild options, so its time to revoke is what the AWS SDK alone costs on this machine, and the
 * distance from it to ours is what sg-sentry's own code costs.
 */
import { DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { ec2ClientConfig } from '../function/adapters/ec2-client-config';

interface BenchEvent {
  readonly detail: {
    readonly awsRegion: string;
    readonly requestParameters: { readonly groupId: string };
    readonly responseElements: {
      readonly securityGroupRuleSet: { readonly items: ReadonlyArray<{ readonly securityGroupRuleId: string }> };
    };
  };
}

export async function handler(event: BenchEvent): Promise<{ findings: Array<{ action: string }> }> {
  const { awsRegion, requestParameters, responseElements } = event.detail;
  const client = new EC2Client(ec2ClientConfig(awsRegion));
  await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [requestParameters.groupId] }));
  const ruleIds = responseElements.securityGroupRuleSet.items.map((item) => item.securityGroupRuleId);
  await client.send(new RevokeSecurityGroupIngressCommand({ GroupId: requestParameters.groupId, SecurityGroupRuleIds: ruleIds }));
  return { findings: ruleIds.map(() => ({ action: 'revoked' })) };
}
