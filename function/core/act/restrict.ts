/**
 * The `restrict` action: after an offending CIDR rule is revoked, the same protocol and ports
 * are authorized from each `restrict_to` CIDR of the same address family, with a description
 * that says what was replaced, by whom and when. A violation restrict cannot replace (its
 * source is a group or a prefix list, its group is known only by name, or restrict_to has no
 * CIDR of its family) is revoked alone. Execution goes through the EC2 port, one call per group
 * and direction, and never authorizes a replacement beside what it replaces.
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError } from '../errors';
import { networkText, type CidrRange } from '../model/cidr';
import type { Judgement } from '../model/finding';
import { ruleKey } from '../model/rule-key';
import { sourceLabel, type Direction, type Rule } from '../model/rule';
import type { Ec2Port } from '../ports';
import type { ActionFinding, RemediationAction } from './action';
import { actorLabel, restrictDescription } from './restrict-description';
import {
  executeRevokes,
  failureOf,
  planRevokes,
  retryableErrors,
  revokeFinding,
  type Failure,
  type RevokeOutcomes,
  type RevokePlan,
} from './revoke';

/** EC2 answers this when the permission being authorized already exists. */
const DUPLICATE_CODE = 'InvalidPermission.Duplicate';

export interface RestrictPlan {
  readonly revokes: RevokePlan;
  /** For each violation restrict can replace: the rules to authorize once it is revoked. */
  readonly replacements: ReadonlyMap<Rule, readonly Rule[]>;
  /** Violations that are revoked without replacement, and why. */
  readonly revokeOnly: ReadonlyMap<Rule, string>;
}

export type ReplacementOutcome = { readonly status: 'added' } | { readonly status: 'existed' } | Failure;

export interface RestrictOutcome {
  readonly revokes: RevokeOutcomes;
  /** Keyed by `replacementKey`. */
  readonly replacements: ReadonlyMap<string, ReplacementOutcome>;
}

function familyLabel(family: CidrRange['family']): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}

/** Decides, for each violation, what replaces it. Pure: nothing is called. */
function planReplacements(
  violations: readonly Rule[],
  restrictTo: readonly CidrRange[],
  describe: (violation: Rule) => string,
): Omit<RestrictPlan, 'revokes'> {
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
      targets.map(
        (range): Rule => ({
          direction: violation.direction,
          groupId: violation.groupId,
          protocol: violation.protocol,
          ...(violation.fromPort !== undefined ? { fromPort: violation.fromPort } : {}),
          ...(violation.toPort !== undefined ? { toPort: violation.toPort } : {}),
          source: { kind: 'cidr', cidr: networkText(range), family: range.family },
          description,
        }),
      ),
    );
  }
  return { replacements, revokeOnly };
}

/** Identifies a replacement regardless of its description: EC2 treats such rules as the same. */
function replacementKey(rule: Rule): string {
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
async function executeReplacements(rules: readonly Rule[], ec2: Ec2Port): Promise<Map<string, ReplacementOutcome>> {
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
    const settled = await batchThenEach(
      [...batch.rules.keys()],
      (keys) =>
        ec2.authorizePermissions({
          direction: batch.direction,
          groupId: batch.groupId,
          rules: keys.map((key) => batch.rules.get(key) as Rule),
        }),
      { splitOn: (error) => outcomeOfError(error).status === 'existed' },
    );
    for (const [key, result] of settled) outcomes.set(key, result.ok ? { status: 'added' } : outcomeOfError(result.error));
  }
  return outcomes;
}

function cidrsOf(rules: readonly Rule[]): string[] {
  return rules.map((r) => sourceLabel(r.source));
}

/**
 * The finding for a violation after the restrict was executed. A revoke that failed fails the
 * finding. Otherwise `restricted` when at least one replacement is in place (added now or
 * already there); when none could be added the revoke stands alone and `error` names each
 * replacement that is missing.
 */
function restrictFinding(judgement: Judgement, plan: RestrictPlan, outcome: RestrictOutcome): ActionFinding {
  const revoke = outcome.revokes.get(judgement.rule);
  const replacements = plan.replacements.get(judgement.rule);
  if (revoke === undefined || revoke.status === 'failed') return revokeFinding(judgement, revoke);
  if (replacements === undefined) {
    const why = plan.revokeOnly.get(judgement.rule) ?? 'no replacement';
    return { ...judgement, action: revoke.status, reason: `not restricted: ${why}; ${judgement.reason}` };
  }
  const inPlace: Rule[] = [];
  const missing: string[] = [];
  for (const rule of replacements) {
    const added = outcome.replacements.get(replacementKey(rule));
    if (added === undefined) missing.push(`replacement from ${sourceLabel(rule.source)} was not attempted`);
    else if (added.status === 'failed') missing.push(`replacement from ${sourceLabel(rule.source)} not added: ${added.error}`);
    else inPlace.push(rule);
  }
  const error = missing.length > 0 ? { error: missing.join('; ') } : {};
  if (inPlace.length === 0) return { ...judgement, action: revoke.status, ...error };
  const gone = revoke.status === 'already-removed' ? ' (the offending rule was already removed)' : '';
  return {
    ...judgement,
    action: 'restricted',
    reason: `restricted to ${cidrsOf(inPlace).join(', ')}${gone}: ${judgement.reason}`,
    ...error,
  };
}

export const RESTRICT: RemediationAction<RestrictPlan, RestrictOutcome> = {
  plan(violations, policy, options) {
    const actor = actorLabel(options.principal);
    const describe = (rule: Rule) => restrictDescription(sourceLabel(rule.source), actor, options.now);
    return { revokes: planRevokes(violations, options.revokeByRuleId), ...planReplacements(violations, policy.restrictTo, describe) };
  },
  intent(plan, violation) {
    const replacements = plan.replacements.get(violation);
    if (replacements !== undefined) return { kind: 'restrict', to: cidrsOf(replacements) };
    return { kind: 'revoke', notRestricted: plan.revokeOnly.get(violation) ?? 'no replacement' };
  },
  async execute(plan, ec2) {
    const revokes = await executeRevokes(plan.revokes, ec2);
    // Only where the offending rule is gone (revoked now or already): never beside it.
    const due = [...plan.replacements].flatMap(([violation, replacements]) => {
      const status = revokes.get(violation)?.status;
      return status === 'revoked' || status === 'already-removed' ? replacements : [];
    });
    return { revokes, replacements: await executeReplacements(due, ec2) };
  },
  finding: restrictFinding,
  retryable: (outcome) => [...retryableErrors(outcome.revokes.values()), ...retryableErrors(outcome.replacements.values())],
};
