/**
 * How sg-sentry writes a rule, the one way: in reasons, the email and its subject, Slack, and
 * the CLI. `tcp/22 from 0.0.0.0/0`, `tcp/0-65535 from ::/0`, `icmp/8:0 from 10.0.0.0/8`,
 * `all traffic to sg-0abc`, `udp/53 from pl-02cd2c6b`; a CIDR written with host bits set says
 * which network EC2 opened: `208.236.235.254/0 (= 0.0.0.0/0)`.
 */
import { networkText, parseCidrCached } from './cidr';
import { canonicalProtocol, hasPorts, isIcmp, openPortRange } from './protocol';
import { sourceLabel, type Rule, type RuleSource } from './rule';

/** What a rule opens, without its source: `tcp/22`, `tcp/1024-65535`, `icmp/8:0`, `all traffic`. */
function trafficText(protocol: string, fromPort?: number | null, toPort?: number | null): string {
  const canonical = canonicalProtocol(protocol);
  if (canonical === undefined) return `unknown protocol ${JSON.stringify(protocol)}`;
  if (canonical === '-1') return 'all traffic';
  if (hasPorts(canonical)) {
    const [from, to] = openPortRange(fromPort, toPort);
    return `${canonical}/${from === to ? from : `${from}-${to}`}`;
  }
  if (isIcmp(canonical)) {
    // For icmp the port fields are the type and the code; -1 means any.
    if (fromPort === undefined || fromPort === null || fromPort === -1) return `${canonical}/all`;
    return toPort === undefined || toPort === null || toPort === -1 ? `${canonical}/${fromPort}` : `${canonical}/${fromPort}:${toPort}`;
  }
  return `protocol ${canonical}`;
}

export function sourceText(source: RuleSource): string {
  if (source.kind !== 'cidr') return sourceLabel(source);
  const range = parseCidrCached(source.cidr);
  return range?.hostBitsSet ? `${source.cidr} (= ${networkText(range)})` : source.cidr;
}

export interface RuleTextParts {
  readonly traffic: string;
  /** `from` for ingress, `to` for egress. */
  readonly preposition: 'from' | 'to';
  readonly source: string;
}

type RuleShape = Pick<Rule, 'direction' | 'protocol' | 'fromPort' | 'toPort' | 'source'>;

/** The pieces, for formats that mark each one up (Slack shows traffic and source as code). */
export function ruleTextParts(rule: RuleShape): RuleTextParts {
  return {
    traffic: trafficText(rule.protocol, rule.fromPort, rule.toPort),
    preposition: rule.direction === 'egress' ? 'to' : 'from',
    source: sourceText(rule.source),
  };
}

/** `tcp/22 from 0.0.0.0/0`. */
export function ruleText(rule: RuleShape): string {
  const { traffic, preposition, source } = ruleTextParts(rule);
  return `${traffic} ${preposition} ${source}`;
}
