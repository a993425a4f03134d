/**
 * What every event parser needs to turn request fields into rules: protocols in canonical form,
 * ports only where they mean something, CIDRs checked against their family, and a bound on how
 * many rules one event may expand to. Each failure names the path of the bad field.
 */
import { parseCidr } from '../model/cidr';
import type { Rule, RuleSource } from '../model/rule';
import { canonicalProtocol, hasPorts, isIcmp } from '../model/protocol';
import { EventValidationError } from '../errors';

/** More rules than a security group can hold (1,000 with a quota raise, both directions). */
const MAX_RULES_PER_EVENT = 2000;

export function protocolOrThrow(value: string | number, path: string): string {
  const protocol = canonicalProtocol(value);
  if (protocol === undefined) throw new EventValidationError([`${path}: unknown protocol ${JSON.stringify(value)}`]);
  return protocol;
}

/** Ports mean something only for tcp/udp (range) and icmp (type/code); `-1` carries none. */
export function portsFor(protocol: string, fromPort: number | undefined, toPort: number | undefined, path: string) {
  if (hasPorts(protocol)) {
    if (fromPort !== undefined && toPort !== undefined && fromPort > toPort) {
      throw new EventValidationError([`${path}: fromPort ${fromPort} is greater than toPort ${toPort}`]);
    }
    return { fromPort, toPort };
  }
  if (isIcmp(protocol)) return { fromPort, toPort };
  return {};
}

export function cidrSource(text: string, path: string, family: 'ipv4' | 'ipv6'): RuleSource {
  const range = parseCidr(text);
  if (range === undefined || range.family !== family) {
    throw new EventValidationError([`${path}: ${JSON.stringify(text)} is not a valid ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR`]);
  }
  return { kind: 'cidr', cidr: text.trim(), family };
}

export function withDescription(rule: Rule, description: string | undefined): Rule {
  return description === undefined ? rule : { ...rule, description };
}

export function guardSize(count: number): void {
  if (count > MAX_RULES_PER_EVENT) {
    throw new EventValidationError([`the event expands to more than ${MAX_RULES_PER_EVENT} rules`]);
  }
}
