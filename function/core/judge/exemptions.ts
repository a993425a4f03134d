/**
 * Why a rule that violates the policy must still not be touched: its group is out of scope
 * (`groups`, `exclude_groups`, `exclude_tags`), or the change was made by an exempt principal
 * (sg-sentry's own role, `exempt_principals`). Such violations are judged `exempt`.
 */
import type { Principal } from '../model/principal';
import type { Policy } from '../policy/policy';

export type GroupScope = { readonly watched: true } | { readonly watched: false; readonly reason: string };

/** Whether the policy watches a group: `groups` is `"*"` or lists it, and `exclude_groups` does not. */
export function groupScope(policy: Policy, groupId?: string): GroupScope {
  const id = groupId?.toLowerCase();
  if (id !== undefined && policy.excludeGroups.has(id)) return { watched: false, reason: `${groupId} is in exclude_groups` };
  if (policy.groups === '*') return { watched: true };
  if (id === undefined) return { watched: false, reason: 'the group id is unknown and groups lists specific ids' };
  return policy.groups.has(id) ? { watched: true } : { watched: false, reason: `${groupId} is not in groups` };
}

/** `tag sentry=off` when the group carries one of `exclude_tags`, else undefined. */
export function excludedTag(policy: Policy, tags: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(policy.excludeTags)) {
    if (Object.hasOwn(tags, key) && tags[key] === value) return `tag ${key}=${value}`;
  }
  return undefined;
}

const IAM_ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/**
 * Why a principal's changes are exempt, or undefined. The function's own role always is (its
 * restrict-mode authorizations must not trigger it again); then the `exempt_principals` globs,
 * tried on the principal's ARN, its issuer (role) ARN and `invokedBy`.
 */
export function exemptionFor(policy: Policy, principal: Principal, selfRoleArn?: string): string | undefined {
  if (selfRoleArn && isSelf(principal, selfRoleArn)) return `made by sg-sentry's own role ${selfRoleArn}`;
  const candidates: ReadonlyArray<readonly [string, string | undefined]> = [
    ['arn', principal.arn],
    ['issuer', principal.issuerArn],
    ['invokedBy', principal.invokedBy],
  ];
  for (const pattern of policy.exemptPrincipals) {
    for (const [what, value] of candidates) {
      if (value !== undefined && pattern.matches(value)) {
        return `exempt_principals[${pattern.index}] "${pattern.pattern}" matches ${what} ${value}`;
      }
    }
  }
  return undefined;
}

function isSelf(principal: Principal, selfRoleArn: string): boolean {
  if (principal.issuerArn === selfRoleArn || principal.arn === selfRoleArn) return true;
  const match = IAM_ROLE_ARN.exec(selfRoleArn);
  if (!match || principal.arn === undefined) return false;
  const [, partition, account, roleName] = match;
  // STS session ARNs drop the role's path: arn:aws:sts::123456789012:assumed-role/NAME/SESSION.
  return principal.arn.startsWith(`arn:${partition}:sts::${account}:assumed-role/${roleName}/`);
}

/**
 * Why a group's rules must not be touched: the group is not watched, is excluded, or carries an
 * excluded tag (`tags` when they were read). Undefined when the group is in scope.
 */
export function groupExemption(policy: Policy, groupId: string | undefined, tags?: Readonly<Record<string, string>>): string | undefined {
  const scope = groupScope(policy, groupId);
  if (!scope.watched) return scope.reason;
  const tag = tags !== undefined ? excludedTag(policy, tags) : undefined;
  return tag !== undefined ? `group excluded by ${tag}` : undefined;
}
