/**
 * The vocabulary every part of the engine shares. A `Rule` is one source × protocol × port
 * range on one security group, the unit that the policy judges and the remediation revokes.
 */
import type { AddressFamily } from './cidr';

export type Direction = 'ingress' | 'egress';

export type RuleSource =
  | { readonly kind: 'cidr'; readonly cidr: string; readonly family: AddressFamily }
  | { readonly kind: 'security_group'; readonly groupId?: string; readonly groupName?: string; readonly userId?: string }
  | { readonly kind: 'prefix_list'; readonly prefixListId: string };

/**
 * Canonical protocol: `-1` (all traffic), `tcp`, `udp`, `icmp`, `icmpv6`, or any other IANA
 * protocol number as a decimal string. See `protocol.ts`.
 */
export type Protocol = string;

export interface Rule {
  readonly direction: Direction;
  /** At least one of groupId / groupName is set (groupName alone: default-VPC legacy form). */
  readonly groupId?: string;
  readonly groupName?: string;
  /** `sgr-…` when the event or the API told us; absent in pre-2021 records. */
  readonly ruleId?: string;
  readonly protocol: Protocol;
  /** tcp/udp: port range; icmp/icmpv6: type/code (-1 = any); absent for `-1` and other protocols. */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source: RuleSource;
  readonly description?: string;
}

export function sourceLabel(source: RuleSource): string {
  switch (source.kind) {
    case 'cidr':
      return source.cidr;
    case 'security_group':
      return source.groupId ?? source.groupName ?? 'unknown-group';
    case 'prefix_list':
      return source.prefixListId;
  }
}
