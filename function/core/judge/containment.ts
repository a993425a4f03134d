/**
 * The policy decision: allowlist by containment. A rule is allowed iff one entry of its
 * direction covers it whole (source, protocol, every port); everything else is a violation.
 * Pure and deterministic: the first covering entry, in document order, is named.
 *
 * A rule whose source is a prefix list is covered by an entry naming that list (trusted by
 * reference, whatever it holds) or by `prefix_list: "*"`. With `inspect_prefix_lists`, `"*"`
 * covers an AWS-managed list, and a customer-managed one only when each of its entries, taken as
 * the rule's source with the rule's protocol and ports, is allowed by the CIDR entries: whoever
 * edits the list decides what the rule opens.
 */
import { cidrContains, parseCidrCached, type CidrRange } from '../model/cidr';
import { canonicalProtocol, hasPorts, openPortRange, type PortRange } from '../model/protocol';
import { prefixListLabel, type PrefixListEntry, type PrefixListLookup } from '../model/prefix-list';
import type { Rule } from '../model/rule';
import { ruleText, sourceText } from '../model/rule-text';
import type { Policy, PolicyEntry } from '../policy/policy';

export interface RuleEvaluation {
  readonly allowed: boolean;
  /** Short human text: `allowed by ingress.allow[0] (10.0.0.0/8, all)`. */
  readonly reason: string;
}

/** Entries named in a reason before the rest are counted. */
const NAMED_ENTRIES = 5;

/** `lists` holds what was read of the prefix lists the rules reference (see `listsToInspect`). */
export function evaluateRule(rule: Rule, policy: Policy, lists?: PrefixListLookup): RuleEvaluation {
  const entries = rule.direction === 'egress' ? policy.egress : policy.ingress;
  const where = `${rule.direction}.allow`;
  const protocol = canonicalProtocol(rule.protocol);
  let range: CidrRange | undefined;
  if (rule.source.kind === 'cidr') {
    range = parseCidrCached(rule.source.cidr);
    if (range === undefined) {
      return violation(`${ruleText(rule)}: invalid CIDR ${JSON.stringify(rule.source.cidr)}, so no ${where} entry can cover it`);
    }
  }
  if (protocol === undefined) return violation(`${ruleText(rule)} cannot be covered by any ${where} entry`);
  const ports = hasPorts(protocol) ? openPortRange(rule.fromPort, rule.toPort) : undefined;
  let listProblem: string | undefined;
  for (const entry of entries) {
    if (!covers(entry, rule, range, protocol, ports)) continue;
    if (!isWildcardForInspectedList(entry, rule, policy)) return { allowed: true, reason: `allowed by ${entry.label}` };
    const check = wildcardCheck(rule, policy, lists);
    if (check.ok) return { allowed: true, reason: `allowed by ${entry.label}: ${check.note}` };
    listProblem ??= check.problem;
  }
  if (listProblem !== undefined) return violation(`${ruleText(rule)}: ${listProblem}`);
  return violation(`${ruleText(rule)} is not covered by any ${where} entry`);
}

function isWildcardForInspectedList(entry: PolicyEntry, rule: Rule, policy: Policy): boolean {
  return (
    policy.inspectPrefixLists &&
    rule.source.kind === 'prefix_list' &&
    entry.source.kind === 'prefix_list' &&
    entry.source.prefixListId === '*'
  );
}

type WildcardCheck = { readonly ok: true; readonly note: string } | { readonly ok: false; readonly problem: string };

function wildcardCheck(rule: Rule, policy: Policy, lists: PrefixListLookup | undefined): WildcardCheck {
  const id = rule.source.kind === 'prefix_list' ? rule.source.prefixListId.toLowerCase() : '';
  const facts = lists?.get(id);
  if (facts === undefined) return { ok: false, problem: `prefix list ${id} was not read, so its entries cannot be judged` };
  if (facts.state === 'unreadable')
    return { ok: false, problem: `cannot be evaluated: prefix list ${id} could not be read (${facts.reason})` };
  const label = prefixListLabel(facts.info);
  if (facts.state === 'aws-managed') return { ok: true, note: `${label} is AWS-managed` };
  const offending = offendingEntries(rule, facts.entries, policy);
  if (offending.length === 0)
    return { ok: true, note: `every entry of customer-managed prefix list ${label} is allowed (${facts.entries.length})` };
  const named = offending
    .slice(0, NAMED_ENTRIES)
    .map((e) => sourceText({ kind: 'cidr', cidr: e.cidr, family: e.cidr.includes(':') ? 'ipv6' : 'ipv4' }));
  const more = offending.length > NAMED_ENTRIES ? ` (+${offending.length - NAMED_ENTRIES} more)` : '';
  const what = offending.length === 1 ? 'an entry' : `${offending.length} entries`;
  return {
    ok: false,
    problem: `customer-managed prefix list ${label} holds ${what} not covered by any ${rule.direction}.allow entry: ${named.join(', ')}${more}`,
  };
}

/** The rule as if it named the entry's CIDR instead of the list. */
export function ruleForEntry(rule: Rule, entry: PrefixListEntry): Rule {
  return { ...rule, source: { kind: 'cidr', cidr: entry.cidr, family: entry.cidr.includes(':') ? 'ipv6' : 'ipv4' } };
}

/** The entries of a list that, as the source of `rule`, the CIDR entries of the policy do not allow. */
export function offendingEntries(rule: Rule, entries: readonly PrefixListEntry[], policy: Policy): PrefixListEntry[] {
  return entries.filter((entry) => !evaluateRule(ruleForEntry(rule, entry), policy).allowed);
}

/**
 * How the policy trusts the list a rule references: `by-id` when an entry naming the list
 * covers the rule's traffic, `wildcard` when only `prefix_list: "*"` does (and the list's
 * entries decide, when inspected), `none` when no prefix-list entry does.
 */
export function prefixListTrust(rule: Rule, policy: Policy): 'by-id' | 'wildcard' | 'none' {
  if (rule.source.kind !== 'prefix_list') return 'none';
  const protocol = canonicalProtocol(rule.protocol);
  if (protocol === undefined) return 'none';
  const ports = hasPorts(protocol) ? openPortRange(rule.fromPort, rule.toPort) : undefined;
  let trust: 'wildcard' | 'none' = 'none';
  for (const entry of rule.direction === 'egress' ? policy.egress : policy.ingress) {
    if (entry.source.kind !== 'prefix_list' || !covers(entry, rule, undefined, protocol, ports)) continue;
    if (entry.source.prefixListId !== '*') return 'by-id';
    trust = 'wildcard';
  }
  return trust;
}

/** The prefix lists whose contents decide a verdict among `rules`: read these before judging. */
export function listsToInspect(rules: readonly Rule[], policy: Policy): string[] {
  if (!policy.inspectPrefixLists) return [];
  const ids = new Set<string>();
  for (const rule of rules) {
    if (rule.source.kind === 'prefix_list' && prefixListTrust(rule, policy) === 'wildcard') ids.add(rule.source.prefixListId.toLowerCase());
  }
  return [...ids];
}

function violation(reason: string): RuleEvaluation {
  return { allowed: false, reason };
}

function covers(entry: PolicyEntry, rule: Rule, range: CidrRange | undefined, protocol: string, ports: PortRange | undefined): boolean {
  // Protocol first: the cheapest test. A '-1' rule is covered only by an 'all' entry.
  if (entry.protocol !== '-1' && entry.protocol !== protocol) return false;
  if (!sourceCovered(entry, rule, range)) return false;
  // Entries carry ports only for tcp/udp, where the protocol matched exactly above. ICMP
  // type/code and other protocols are covered by protocol alone.
  if (entry.ports === undefined || ports === undefined) return true;
  const [from, to] = ports;
  return entry.ports.some(([lo, hi]) => lo <= from && to <= hi);
}

function sourceCovered(entry: PolicyEntry, rule: Rule, range: CidrRange | undefined): boolean {
  const source = rule.source;
  switch (entry.source.kind) {
    case 'cidr':
      return range !== undefined && cidrContains(entry.source.range, range);
    case 'security_group':
      if (source.kind !== 'security_group') return false;
      return entry.source.groupId === '*' || (source.groupId !== undefined && source.groupId.toLowerCase() === entry.source.groupId);
    case 'prefix_list':
      if (source.kind !== 'prefix_list') return false;
      return entry.source.prefixListId === '*' || source.prefixListId.toLowerCase() === entry.source.prefixListId;
  }
}
