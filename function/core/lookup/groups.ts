/**
 * What DescribeSecurityGroups says about the groups being judged (name, VPC, tags), read only
 * when the policy needs tags (`exclude_tags`, the time-boxed exception tag).
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError } from '../errors';
import type { Judgement } from '../model/finding';
import type { Policy } from '../policy/policy';
import type { Ec2Port, GroupInfo } from '../ports';

const GROUP_NOT_FOUND = 'InvalidGroup.NotFound';

function isGroupNotFound(error: unknown): boolean {
  return error instanceof Ec2CallError && error.code === GROUP_NOT_FOUND;
}

export function policyReadsTags(policy: Policy): boolean {
  return Object.keys(policy.excludeTags).length > 0 || policy.exceptionTag !== null;
}

/** What the change's group read gave: the group, or why its tags could not be read. */
export interface GroupLookup {
  readonly group?: GroupInfo;
  /** EC2's answer when the read failed for good (access denied): no tag could be checked. */
  readonly unreadable?: string;
}

/**
 * Whether a group named only by name must be read to be judged: its id decides its scope when
 * `groups` lists ids or `exclude_groups` is set, and only a read gives the id.
 */
export function scopeNeedsGroupId(policy: Policy): boolean {
  return policy.groups !== '*' || policy.excludeGroups.size > 0;
}

/**
 * The one group a change names, read only when the change has a violation that the group's tags
 * (or, for a group named only by name, its id) could exempt: an all-allowed change costs no call.
 * A group named by name (the default-VPC form) is asked for by name, which also gives its id.
 * Failures a retry can fix throw; a group deleted since the event has no tags; any other
 * failure is `unreadable`.
 */
export async function groupOfChange(
  target: { readonly groupId?: string; readonly groupName?: string },
  policy: Policy,
  ec2: Ec2Port,
  violating: boolean,
): Promise<GroupLookup> {
  if (!violating) return {};
  const { groupId, groupName } = target;
  let read: (() => Promise<GroupInfo | undefined>) | undefined;
  if (groupId !== undefined) {
    if (policyReadsTags(policy)) read = async () => (await ec2.describeGroups([groupId]))[0];
  } else if (groupName !== undefined && (policyReadsTags(policy) || scopeNeedsGroupId(policy))) {
    read = () => ec2.describeGroupByName(groupName);
  }
  if (read === undefined) return {};
  try {
    const group = await read();
    return group !== undefined ? { group } : {};
  } catch (error) {
    // Deleted since the event: no tags to honour, and the revoke reports its rules already removed.
    if (isGroupNotFound(error)) return {};
    if (error instanceof Ec2CallError && !error.retryable) return { unreadable: error.message };
    throw error;
  }
}

/**
 * Violations whose group's tags could not be read: an exclusion or exception may cover them, so
 * they are not acted on (the caller fails them with EC2's answer) and the reason says why.
 */
export function withUnreadTags(judgements: readonly Judgement[], unreadable: string | undefined): Judgement[] {
  if (unreadable === undefined) return [...judgements];
  return judgements.map((j) =>
    j.verdict === 'violation'
      ? { ...j, reason: `${j.reason}; not acted on: the group's tags (exclude_tags, exception tag) could not be read` }
      : j,
  );
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
