/**
 * What DescribeSecurityGroups says about the groups being judged (name, VPC, tags), read only
 * when the policy needs tags (`exclude_tags`).
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError } from '../errors';
import type { Policy } from '../policy/policy';
import type { Ec2Port, GroupInfo } from '../ports';

const GROUP_NOT_FOUND = 'InvalidGroup.NotFound';

function isGroupNotFound(error: unknown): boolean {
  return error instanceof Ec2CallError && error.code === GROUP_NOT_FOUND;
}

export function policyReadsTags(policy: Policy): boolean {
  return Object.keys(policy.excludeTags).length > 0;
}

/** The one group a change names, when the policy reads tags. EC2 failures throw. */
export async function groupOfChange(groupId: string | undefined, policy: Policy, ec2: Ec2Port): Promise<GroupInfo | undefined> {
  if (!policyReadsTags(policy) || groupId === undefined) return undefined;
  const groups = await ec2.describeGroups([groupId]);
  return groups[0];
}

/**
 * Each group's info, or null for a group EC2 no longer knows (deleted since it was listed).
 * One such group fails the whole call, so then each is asked for alone. Other failures throw.
 */
export async function describeEachGroup(groupIds: readonly string[], ec2: Ec2Port): Promise<Map<string, GroupInfo | null>> {
  const found = new Map<string, GroupInfo | null>();
  const settled = await batchThenEach(groupIds, (ids) => ec2.describeGroups(ids), {
    splitOn: isGroupNotFound,
    rethrow: (error) => !isGroupNotFound(error),
  });
  for (const result of settled.values()) if (result.ok) for (const info of result.value) found.set(info.groupId, info);
  for (const id of groupIds) if (!found.has(id)) found.set(id, null);
  return found;
}
