/**
 * The `restrict` action (DESIGN §4): after an offending CIDR rule is revoked, the same protocol
 * and ports are authorized from each `restrict_to` CIDR of the same address family, with a
 * description that says what was replaced, by whom and when. Planning and the description are
 * pure; execution goes through the EC2 port, one call per group and direction.
 */
import { networkText, type CidrRange } from './model/cidr';
import { Ec2CallError } from './errors';
import { sourceLabel, type Direction, type Rule } from './model/rule';
import { type Finding } from './model/finding';
import { type Principal } from './model/principal';
import { ruleKey } from './model/rule-key';
import type { Policy } from './policy/policy';
import type { Ec2Port } from './ports';
import { failureOf, type RevokeOutcome } from './remediate';

/** EC2 rejects longer rule descriptions. */
export const EC2_DESCRIPTION_LIMIT = 255;

/** Everything outside the characters EC2 accepts in a VPC security-group rule description. */
const NOT_EC2_DESCRIPTION_CHAR = /[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g;

/** What the description names as the author when there is no principal (the scheduled sweep). */
export const SWEEP_ACTOR = 'sg-sentry sweep';

/** EC2 answers this when the permission being authorized already exists. */
export const DUPLICATE_CODE = 'InvalidPermission.Duplicate';

/** Makes text acceptable to EC2 as (part of) a rule description. */
export function ec2DescriptionText(text: string): string {
  return text.replace(NOT_EC2_DESCRIPTION_CHAR, '_');
}

/** The principal as the description names it: its ARN, else the service that acted for it. */
export function actorLabel(principal: Principal | undefined): string {
  if (principal === undefined) return SWEEP_ACTOR;
  return principal.arn ?? principal.invokedBy ?? principal.type ?? 'unknown principal';
}

/** `2026-11-27T10:00:00Z`: CloudTrail's own format, seconds precision. */
function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Cuts the middle out, so the start (partition, account) and the end (session, user) stay. */
function middleTruncate(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 3) return text.slice(0, Math.max(room, 0));
  const keep = room - 3;
  const head = Math.floor(keep * 0.4);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}

/**
 * `sg-sentry: replaced 0.0.0.0/0 (by arn:aws:sts::…:assumed-role/admin/alice, 2026-11-27T10:00:00Z)`,
 * within EC2's 255 characters and character set. Only the actor is shortened: the prefix, the
 * replaced CIDR and the time always survive. Without `at` the time is left out.
 */
export function restrictDescription(replaced: string, actor: string, at?: Date): string {
  const head = `sg-sentry: replaced ${ec2DescriptionText(replaced).slice(0, 64)} (by `;
  const tail = `${at === undefined ? '' : `, ${isoSeconds(at)}`})`;
  const who = middleTruncate(ec2DescriptionText(actor), EC2_DESCRIPTION_LIMIT - head.length - tail.length);
  return `${head}${who}${tail}`;
}

export interface RestrictPlan {
  /** For each violation restrict can replace: the rules to authorize once it is revoked. */
  readonly replacements: ReadonlyMap<Rule, readonly Rule[]>;
  /** Violations that are revoked without replacement, and why. */
  readonly revokeOnly: ReadonlyMap<Rule, string>;
}

function familyLabel(family: CidrRange['family']): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}

/** Decides, for each violation, what replaces it. Pure: nothing is called. */
export function planRestrict(
  violations: readonly Rule[],
  restrictTo: readonly CidrRange[],
  describe: (violation: Rule) => string,
): RestrictPlan {
  const replacements = new Map<Rule, Rule[]>();
  const revokeOnly = new Map<Rule, string>();
  for (const violation of violations) {
    const source = violation.source;
    if (source.kind !== 'cidr') {
      revokeOnly.set(violation, `its source is a ${source.kind === 'security_group' ? 'security group' : 'prefix list'}, not a CIDR`);
      continue;
    }
    if (violation.groupId === undefined) {
      // Pre-2021 records that name a default-VPC group only by name: authorizing needs the id.
      revokeOnly.set(violation, 'the event names the group only by name');
      continue;
    }
    const targets = restrictTo.filter((range) => range.family === source.family);
    if (targets.length === 0) {
      revokeOnly.set(violation, `restrict_to has no ${familyLabel(source.family)} CIDR`);
      continue;
    }
    const description = describe(violation);
    replacements.set(
      violation,
      targets.map((range): Rule => ({
        direction: violation.direction,
        groupId: violation.groupId,
        protocol: violation.protocol,
        ...(violation.fromPort !== undefined ? { fromPort: violation.fromPort } : {}),
        ...(violation.toPort !== undefined ? { toPort: violation.toPort } : {}),
        source: { kind: 'cidr', cidr: networkText(range), family: range.family },
        description,
      })),
    );
  }
  return { replacements, revokeOnly };
}

export type ReplacementOutcome =
  | { readonly status: 'added' }
  | { readonly status: 'existed' }
  | { readonly status: 'failed'; readonly error: string; readonly retryable: boolean };

/** Identifies a replacement regardless of its description: EC2 treats such rules as the same. */
export function replacementKey(rule: Rule): string {
  return `${rule.groupId ?? ''}|${ruleKey(rule)}`;
}

function outcomeOfError(error: unknown): ReplacementOutcome {
  if (error instanceof Ec2CallError && error.code === DUPLICATE_CODE) return { status: 'existed' };
  return failureOf(error);
}

/**
 * Authorizes the replacements: one call per group and direction with all its permissions. A
 * duplicate in a batch fails the whole call, so such a batch is retried permission by
 * permission and the others are still added. Never throws: every replacement gets an outcome,
 * keyed by `replacementKey`.
 */
export async function executeReplacements(rules: readonly Rule[], ec2: Ec2Port): Promise<Map<string, ReplacementOutcome>> {
  const batches = new Map<string, { direction: Direction; groupId: string; rules: Map<string, Rule> }>();
  for (const rule of rules) {
    if (rule.groupId === undefined) continue;
    const batchKey = `${rule.groupId}|${rule.direction}`;
    let batch = batches.get(batchKey);
    if (batch === undefined) {
      batch = { direction: rule.direction, groupId: rule.groupId, rules: new Map() };
      batches.set(batchKey, batch);
    }
    // Two violations can ask for the same replacement (0.0.0.0/1 and 128.0.0.0/1 on one port);
    // EC2 rejects a call that names a permission twice.
    const key = replacementKey(rule);
    if (!batch.rules.has(key)) batch.rules.set(key, rule);
  }

  const outcomes = new Map<string, ReplacementOutcome>();
  for (const batch of batches.values()) {
    const entries = [...batch.rules.entries()];
    const authorize = (subset: readonly Rule[]) =>
      ec2.authorizePermissions({ direction: batch.direction, groupId: batch.groupId, rules: subset });
    try {
      await authorize(entries.map(([, rule]) => rule));
      for (const [key] of entries) outcomes.set(key, { status: 'added' });
      continue;
    } catch (error) {
      const outcome = outcomeOfError(error);
      if (entries.length === 1 || outcome.status !== 'existed') {
        for (const [key] of entries) outcomes.set(key, outcome);
        continue;
      }
    }
    for (const [key, rule] of entries) {
      try {
        await authorize([rule]);
        outcomes.set(key, { status: 'added' });
      } catch (error) {
        outcomes.set(key, outcomeOfError(error));
      }
    }
  }
  return outcomes;
}

/** What `remediate` needs beyond the judgements; optional so that existing callers keep working. */
export interface RemediateOptions {
  /** Who made the change, named in restrict descriptions; absent for the sweep (`sg-sentry sweep`). */
  readonly principal?: Principal;
  /** The time written into restrict descriptions (the engine's `now()`); absent = no time. */
  readonly now?: Date;
}

export interface RestrictResult {
  readonly plan: RestrictPlan;
  readonly outcomes: ReadonlyMap<string, ReplacementOutcome>;
  /** Errors of replacements that a retry may add. */
  readonly retryable: readonly string[];
}

/**
 * Plans the replacements and, in enforce mode, authorizes those whose offending rule is gone
 * (revoked now or already removed): a replacement never goes in beside what it replaces.
 */
export async function applyRestrict(
  violations: readonly Rule[],
  revokes: ReadonlyMap<Rule, RevokeOutcome>,
  policy: Policy,
  ec2: Ec2Port,
  options: RemediateOptions,
): Promise<RestrictResult> {
  const actor = actorLabel(options.principal);
  const plan = planRestrict(violations, policy.restrictTo, (rule) => restrictDescription(sourceLabel(rule.source), actor, options.now));
  if (policy.mode !== 'enforce') return { plan, outcomes: new Map(), retryable: [] };
  const due = violations.filter((rule) => {
    const status = revokes.get(rule)?.status;
    return status === 'revoked' || status === 'already-removed';
  });
  const outcomes = await executeReplacements(due.flatMap((rule) => plan.replacements.get(rule) ?? []), ec2);
  const retryable = [...outcomes.values()].flatMap((o) => (o.status === 'failed' && o.retryable ? [o.error] : []));
  return { plan, outcomes, retryable };
}

function cidrsOf(rules: readonly Rule[]): string {
  return rules.map((r) => sourceLabel(r.source)).join(', ');
}

/**
 * The finding for a violation under `action: "restrict"`. A revoke that failed fails the
 * finding. Otherwise `restricted` when at least one replacement is in place (added now or
 * already there); when none could be added the revoke stands alone and `error` names each
 * replacement that is missing.
 */
export function restrictFinding(
  base: Pick<Finding, 'rule' | 'verdict' | 'reason'>,
  revoke: RevokeOutcome | undefined,
  mode: Policy['mode'],
  restrict: RestrictResult,
): Finding {
  const replacements = restrict.plan.replacements.get(base.rule);
  const revokeOnly = restrict.plan.revokeOnly.get(base.rule);
  if (mode === 'report') {
    if (replacements !== undefined) return { ...base, action: 'reported', reason: `would restrict to ${cidrsOf(replacements)}: ${base.reason}` };
    return { ...base, action: 'reported', reason: `would revoke (not restricted: ${revokeOnly ?? 'no replacement'}): ${base.reason}` };
  }
  if (revoke === undefined) return { ...base, action: 'failed', error: 'no remediation was attempted' };
  if (revoke.status === 'failed') return { ...base, action: 'failed', error: revoke.error };
  if (replacements === undefined) {
    return { ...base, action: revoke.status, reason: `not restricted: ${revokeOnly ?? 'no replacement'}; ${base.reason}` };
  }
  const inPlace: Rule[] = [];
  const missing: string[] = [];
  for (const rule of replacements) {
    const outcome = restrict.outcomes.get(replacementKey(rule));
    if (outcome === undefined) missing.push(`replacement from ${sourceLabel(rule.source)} was not attempted`);
    else if (outcome.status === 'failed') missing.push(`replacement from ${sourceLabel(rule.source)} not added: ${outcome.error}`);
    else inPlace.push(rule);
  }
  const error = missing.length > 0 ? { error: missing.join('; ') } : {};
  if (inPlace.length === 0) return { ...base, action: revoke.status, ...error };
  const gone = revoke.status === 'already-removed' ? ' (the offending rule was already removed)' : '';
  return { ...base, action: 'restricted', reason: `restricted to ${cidrsOf(inPlace)}${gone}: ${base.reason}`, ...error };
}
