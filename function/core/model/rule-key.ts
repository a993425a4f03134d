import { networkText, parseCidr } from './cidr';
import type { Rule, RuleSource } from './rule';

/**
 * The identity of a rule as EC2 sees it: direction, protocol, ports and source, with the CIDR's
 * host bits cleared and the description ignored. Matches a request rule to the rule EC2
 * reports having created, an `UnknownIpPermissions` entry to the rule revoked, and one restrict
 * replacement to another.
 */
export function ruleKey(rule: Pick<Rule, 'direction' | 'protocol' | 'fromPort' | 'toPort' | 'source'>): string {
  const ports = rule.protocol === '-1' ? '' : `${rule.fromPort ?? ''}:${rule.toPort ?? ''}`;
  return `${rule.direction}|${rule.protocol}|${ports}|${sourceKey(rule.source)}`;
}

function sourceKey(source: RuleSource): string {
  switch (source.kind) {
    case 'cidr': {
      const range = parseCidr(source.cidr);
      return `cidr:${range ? networkText(range) : source.cidr}`;
    }
    case 'security_group':
      return `sg:${source.groupId ?? source.groupName ?? ''}`;
    case 'prefix_list':
      return `pl:${source.prefixListId}`;
  }
}
