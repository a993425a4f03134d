/**
 * DescribeSecurityGroups on an `aws-sdk-client-mock` EC2 client, answering as EC2 does for
 * groups that exist: each group asked for, by id or by name, with the tags given here (none by
 * default). The default policy reads a violating group's tags (the time-boxed exception tag), so
 * every mocked EC2 that sees a violation is asked this. A group asked for by name (the default-VPC
 * form of an Authorize) gets an id derived from its name, as EC2 answers with the group's id.
 */
import { createHash } from 'node:crypto';
import { DescribeSecurityGroupsCommand, type DescribeSecurityGroupsCommandInput, type EC2Client } from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export function answerDescribeGroups(
  ec2: AwsClientStub<EC2Client>,
  tagsOf: (groupId: string) => Readonly<Record<string, string>> = () => ({}),
): void {
  const group = (id: string) => ({ GroupId: id, Tags: Object.entries(tagsOf(id)).map(([Key, Value]) => ({ Key, Value })) });
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input: DescribeSecurityGroupsCommandInput) => ({
    SecurityGroups: [
      ...(input.GroupIds ?? []).map(group),
      ...(input.GroupNames ?? []).map((name) => ({ ...group(groupIdForName(name)), GroupName: name })),
    ],
  }));
}

/** The id the mock gives the group of that name: `sg-` and 17 hex digits, as EC2's. */
export function groupIdForName(name: string): string {
  return `sg-${createHash('sha256').update(name).digest('hex').slice(0, 17)}`;
}
