/**
 * Why a rule that violates the policy must still not be touched: its group is out of scope
 * (`groups`, `exclude_groups`, `exclude_tags`), or the change was made by an exempt principal
 * (sg-sentry's own role, `exempt_principals`). Such violations are judged `exempt`.
 */
import type { Principal, SelfIdentity } from '../model/principal';
import type { Policy, PrincipalPattern } from '../policy/policy';

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

/** The patterns that match `invokedBy`, the service that made a call for its caller. */
const SERVICE_PREFIX = 'service:';

/**
 * Why a principal's changes are exempt, or undefined. The function's own session always is (its
 * restrict-mode authorizations must not trigger it again); then the `exempt_principals` globs:
 * `service:<name>` ones on `invokedBy` (the service that made the call for the caller), all
 * others on the principal's ARN and its issuer (role) ARN.
 */
export function exemptionFor(policy: Policy, principal: Principal, self?: SelfIdentity): string | undefined {
  const session = self !== undefined ? selfSession(self) : undefined;
  if (session !== undefined && principal.arn === session) return `made by sg-sentry itself (session ${session})`;
  return principalMatch('exempt_principals', policy.exemptPrincipals, principal);
}

/**
 * Which of `patterns` (a list of the policy named `listName`) matches the principal, said as a
 * reason: `service:<name>` patterns on `invokedBy`, all others on the ARN and the issuer ARN.
 * `exempt_principals` and `exception_approvers` match the same way.
 */
export function principalMatch(listName: string, patterns: readonly PrincipalPattern[], principal: Principal): string | undefined {
  for (const pattern of patterns) {
    const candidates: ReadonlyArray<readonly [string, string | undefined]> = pattern.pattern.startsWith(SERVICE_PREFIX)
      ? [['invokedBy', principal.invokedBy === undefined ? undefined : `${SERVICE_PREFIX}${principal.invokedBy}`]]
      : [
          ['arn', principal.arn],
          ['issuer', principal.issuerArn],
        ];
    for (const [what, value] of candidates) {
      if (value !== undefined && pattern.matches(value)) {
        const shown = what === 'invokedBy' ? value.slice(SERVICE_PREFIX.length) : value;
        return `${listName}[${pattern.index}] "${pattern.pattern}" matches ${what} ${shown}`;
      }
    }
  }
  return undefined;
}

/**
 * `arn:aws:sts::123456789012:assumed-role/<role name>/<function name>`: the one session that is
 * sg-sentry. STS session ARNs drop the role's path. Any other session of the role (a person who
 * assumed it by hand) is judged like everyone else.
 */
function selfSession(self: SelfIdentity): string | undefined {
  const match = IAM_ROLE_ARN.exec(self.roleArn);
  if (!match || self.sessionName === undefined || self.sessionName === '') return undefined;
  const [, partition, account, roleName] = match;
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${self.sessionName}`;
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
