/**
 * DescribeSecurityGroups on an `aws-sdk-client-mock` EC2 client, answering as EC2 does for
 * groups that exist: each group asked for, with the tags given here (none by default). The
 * default policy reads a violating group's tags (the time-boxed exception tag), so every mocked
 * EC2 that sees a violation is asked this.
 */
import { DescribeSecurityGroupsCommand, type DescribeSecurityGroupsCommandInput, type EC2Client } from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export function answerDescribeGroups(
  ec2: AwsClientStub<EC2Client>,
  tagsOf: (groupId: string) => Readonly<Record<string, string>> = () => ({}),
): void {
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input: DescribeSecurityGroupsCommandInput) => ({
    SecurityGroups: (input.GroupIds ?? []).map((id) => ({
      GroupId: id,
      Tags: Object.entries(tagsOf(id)).map(([Key, Value]) => ({ Key, Value })),
    })),
  }));
}
