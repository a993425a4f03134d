/**
 * Rules in EC2's own `IpPermissions` shape (PascalCase, as the API, the SDK and the AWS CLI's
 * `--ip-permissions` take it): what the EC2 adapter sends to revoke and authorize, and what a
 * restore command recreates. One way to write it, so a restore re-adds exactly what a revoke
 * removed.
 */
import { hasPorts, isIcmp } from './protocol';
import type { Rule } from './rule';

export interface IpRangeShape {
  readonly CidrIp: string;
  readonly Description?: string;
}

export interface Ipv6RangeShape {
  readonly CidrIpv6: string;
  readonly Description?: string;
}

export interface PrefixListIdShape {
  readonly PrefixListId: string;
  readonly Description?: string;
}

export interface UserIdGroupPairShape {
  readonly GroupId?: string;
  readonly GroupName?: string;
  readonly UserId?: string;
  readonly Description?: string;
}

export interface IpPermissionShape {
  readonly IpProtocol: string;
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly IpRanges?: IpRangeShape[];
  readonly Ipv6Ranges?: Ipv6RangeShape[];
  readonly PrefixListIds?: PrefixListIdShape[];
  readonly UserIdGroupPairs?: UserIdGroupPairShape[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The protocol and ports of a permission: ports only where EC2 reads them (tcp/udp ranges, icmp type/code). */
function trafficOf(rule: Rule): Mutable<IpPermissionShape> {
  const permission: Mutable<IpPermissionShape> = { IpProtocol: rule.protocol };
  if ((hasPorts(rule.protocol) || isIcmp(rule.protocol)) && rule.fromPort !== undefined) {
    permission.FromPort = rule.fromPort;
    permission.ToPort = rule.toPort ?? rule.fromPort;
  }
  return permission;
}

/** Adds the rule's source (with its description when asked) to a permission of the same traffic. */
function addSource(permission: Mutable<IpPermissionShape>, rule: Rule, withDescription: boolean): void {
  const description = withDescription && rule.description !== undefined ? { Description: rule.description } : {};
  const source = rule.source;
  switch (source.kind) {
    case 'cidr':
      if (source.family === 'ipv4') permission.IpRanges = [...(permission.IpRanges ?? []), { CidrIp: source.cidr, ...description }];
      else permission.Ipv6Ranges = [...(permission.Ipv6Ranges ?? []), { CidrIpv6: source.cidr, ...description }];
      return;
    case 'prefix_list':
      permission.PrefixListIds = [...(permission.PrefixListIds ?? []), { PrefixListId: source.prefixListId, ...description }];
      return;
    case 'security_group': {
      const pair = {
        ...(source.groupId !== undefined ? { GroupId: source.groupId } : { GroupName: source.groupName }),
        ...(source.userId !== undefined ? { UserId: source.userId } : {}),
        ...description,
      };
      permission.UserIdGroupPairs = [...(permission.UserIdGroupPairs ?? []), pair];
      return;
    }
  }
}

/** One rule as the exact permission that names it. */
export function ipPermissionOf(rule: Rule, withDescription = false): IpPermissionShape {
  const permission = trafficOf(rule);
  addSource(permission, rule, withDescription);
  return permission;
}

/**
 * Rules of one group and direction as few permissions as EC2 reads them the same: one per
 * protocol and port range, holding every source of that traffic, in the order the rules came.
 */
export function ipPermissionsOf(rules: readonly Rule[], withDescription = false): IpPermissionShape[] {
  const byTraffic = new Map<string, Mutable<IpPermissionShape>>();
  for (const rule of rules) {
    const traffic = trafficOf(rule);
    const key = `${traffic.IpProtocol}|${traffic.FromPort ?? ''}|${traffic.ToPort ?? ''}`;
    const permission = byTraffic.get(key) ?? traffic;
    byTraffic.set(key, permission);
    addSource(permission, rule, withDescription);
  }
  return [...byTraffic.values()];
}
