/**
 * The policy decision: allowlist by containment. A rule is allowed iff one entry of its
 * direction covers it whole (source, protocol, every port); everything else is a violation.
 * Pure and deterministic: the first covering entry, in document order, is named.
 */
import { cidrContains, networkText, parseCidr, type CidrRange } from '../model/cidr';
import { sourceLabel, type Rule } from '../model/rule';
import { canonicalProtocol, hasPorts, isIcmp } from '../model/protocol';
import type { Policy, PolicyEntry, PortRange } from '../policy/policy';

export interface RuleEvaluation {
  readonly allowed: boolean;
  /** Short human text: `allowed by ingress.allow[0] (10.0.0.0/8, all)`. */
  readonly reason: string;
}

const ALL_PORTS: PortRange = [0, 65535];

/**
 * Parsed rule CIDRs by text. Parsing (ipaddr.js) dominates an evaluation and the same few
 * CIDRs (0.0.0.0/0, ::/0, the VPC's) recur across events and sweeps. Bounded: cleared when
 * full, so memory stays flat whatever a sweep feeds it. Results do not depend on the cache.
 */
const CIDR_CACHE_LIMIT = 4096;
const cidrCache = new Map<string, CidrRange | null>();

function parseRuleCidr(text: string): CidrRange | undefined {
  const cached = cidrCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const range = parseCidr(text);
  if (cidrCache.size >= CIDR_CACHE_LIMIT) cidrCache.clear();
  cidrCache.set(text, range ?? null);
  return range;
}

export function evaluateRule(rule: Rule, policy: Policy): RuleEvaluation {
  const entries = rule.direction === 'egress' ? policy.egress : policy.ingress;
  const where = `${rule.direction}.allow`;
  const protocol = canonicalProtocol(rule.protocol);
  let range: CidrRange | undefined;
  if (rule.source.kind === 'cidr') {
    range = parseRuleCidr(rule.source.cidr);
    if (range === undefined) {
      return violation(`${describeRule(rule)}: invalid CIDR ${JSON.stringify(rule.source.cidr)}, so no ${where} entry can cover it`);
    }
  }
  if (protocol === undefined) return violation(`${describeRule(rule)} cannot be covered by any ${where} entry`);
  const ports = hasPorts(protocol) ? rulePortRange(rule) : undefined;
  for (const entry of entries) {
    if (covers(entry, rule, range, protocol, ports)) return { allowed: true, reason: `allowed by ${entry.label}` };
  }
  return violation(`${describeRule(rule)} is not covered by any ${where} entry`);
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

/**
 * The tcp/udp port range a rule opens. Missing or -1 ports mean every port; anything EC2 would
 * not have accepted (out of range, reversed) is read as widely as it could be meant.
 */
function rulePortRange(rule: Rule): PortRange {
  const { fromPort, toPort } = rule;
  if (!isPort(fromPort) || !isPort(toPort)) {
    if (fromPort === undefined && toPort === undefined) return ALL_PORTS;
    if (fromPort === -1 || toPort === -1) return ALL_PORTS;
    return [isPort(fromPort) ? fromPort : 0, isPort(toPort) ? toPort : 65535];
  }
  return fromPort <= toPort ? [fromPort, toPort] : [toPort, fromPort];
}

function isPort(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= 65535;
}

/** `tcp/22 from 0.0.0.0/0`, `all traffic to sg-0abc`, `icmp/8:0 from ::/0`. */
export function describeRule(rule: Rule): string {
  return `${describeTraffic(rule)} ${rule.direction === 'egress' ? 'to' : 'from'} ${describeSource(rule)}`;
}

function describeTraffic(rule: Rule): string {
  const protocol = canonicalProtocol(rule.protocol);
  if (protocol === undefined) return `unknown protocol ${JSON.stringify(rule.protocol)}`;
  if (protocol === '-1') return 'all traffic';
  if (hasPorts(protocol)) {
    const [from, to] = rulePortRange(rule);
    return `${protocol}/${from === to ? from : `${from}-${to}`}`;
  }
  if (isIcmp(protocol)) {
    const type = rule.fromPort;
    const code = rule.toPort;
    if (type === undefined || type === -1) return `${protocol}/all`;
    return code === undefined || code === -1 ? `${protocol}/${type}` : `${protocol}/${type}:${code}`;
  }
  return `protocol ${protocol}`;
}

function describeSource(rule: Rule): string {
  if (rule.source.kind !== 'cidr') return sourceLabel(rule.source);
  const range = parseRuleCidr(rule.source.cidr);
  // Say which network EC2 actually opened when the written CIDR had host bits set.
  return range?.hostBitsSet ? `${rule.source.cidr} (= ${networkText(range)})` : rule.source.cidr;
}
