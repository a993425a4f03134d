/**
 * The policy decision: allowlist by containment. A rule is allowed iff one entry of its
 * direction covers it whole (source, protocol, every port); everything else is a violation.
 * Pure and deterministic: the first covering entry, in document order, is named.
 */
import { cidrContains, parseCidrCached, type CidrRange } from '../model/cidr';
import { canonicalProtocol, hasPorts, openPortRange, type PortRange } from '../model/protocol';
import type { Rule } from '../model/rule';
import { ruleText } from '../model/rule-text';
import type { Policy, PolicyEntry } from '../policy/policy';

export interface RuleEvaluation {
  readonly allowed: boolean;
  /** Short human text: `allowed by ingress.allow[0] (10.0.0.0/8, all)`. */
  readonly reason: string;
}

export function evaluateRule(rule: Rule, policy: Policy): RuleEvaluation {
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
  for (const entry of entries) {
    if (covers(entry, rule, range, protocol, ports)) return { allowed: true, reason: `allowed by ${entry.label}` };
  }
  return violation(`${ruleText(rule)} is not covered by any ${where} entry`);
}

function violation(reason: string): RuleEvaluation {
  return { allowed: false, reason };
}

function covers(
  entry: PolicyEntry,
  rule: Rule,
  range: CidrRange | undefined,
  protocol: string,
  ports: PortRange | undefined,
): boolean {
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
