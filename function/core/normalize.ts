/**
 * Turns the permissions of one Authorize/Modify call into individual rules: one per
 * source × protocol × port range, the unit the policy judges and remediation revokes.
 */
import { parseCidr, networkText } from './cidr';
import { EventValidationError } from './errors';
import type { Direction, Rule, RuleSource } from './model';
import { canonicalProtocol, hasPorts, isIcmp } from './protocol';
import type { AuthorizeRequest } from './schemas/authorize-request.schema';
import type { IpPermission } from './schemas/ip-permission.schema';
import type { CreatedRule } from './schemas/security-group-rule-set.schema';
import type { ModifyRuleUpdate } from './schemas/modify-security-group-rules.schema';
import type { UndirectedRule } from './change';

/** More rules than a security group can hold (1,000 with a quota raise, both directions). */
export const MAX_RULES_PER_EVENT = 2000;

interface Target {
  readonly direction: Direction;
  readonly groupId?: string;
  readonly groupName?: string;
}

export function lowerId(id: string): string;
export function lowerId(id: string | undefined): string | undefined;
export function lowerId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.trim().toLowerCase();
}

function protocolOrThrow(value: string | number, path: string): string {
  const protocol = canonicalProtocol(value);
  if (protocol === undefined) throw new EventValidationError([`${path}: unknown protocol ${JSON.stringify(value)}`]);
  return protocol;
}

/** Ports mean something only for tcp/udp (range) and icmp (type/code); `-1` carries none. */
function portsFor(protocol: string, fromPort: number | undefined, toPort: number | undefined, path: string) {
  if (hasPorts(protocol)) {
    if (fromPort !== undefined && toPort !== undefined && fromPort > toPort) {
      throw new EventValidationError([`${path}: fromPort ${fromPort} is greater than toPort ${toPort}`]);
    }
    return { fromPort, toPort };
  }
  if (isIcmp(protocol)) return { fromPort, toPort };
  return {};
}

function cidrSource(text: string, path: string, family: 'ipv4' | 'ipv6'): RuleSource {
  const range = parseCidr(text);
  if (range === undefined || range.family !== family) {
    throw new EventValidationError([`${path}: ${JSON.stringify(text)} is not a valid ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR`]);
  }
  return { kind: 'cidr', cidr: text.trim(), family };
}

/** Expands one IpPermission into one rule per source. */
export function expandPermission(permission: IpPermission, target: Target, path: string): Rule[] {
  const protocol = protocolOrThrow(permission.ipProtocol, `${path}.ipProtocol`);
  const ports = portsFor(protocol, permission.fromPort, permission.toPort, path);
  const base = {
    direction: target.direction,
    ...(target.groupId !== undefined ? { groupId: lowerId(target.groupId) } : {}),
    ...(target.groupName !== undefined ? { groupName: target.groupName } : {}),
    protocol,
    ...ports,
  };
  const rules: Rule[] = [];
  permission.ipRanges.forEach((range, i) => {
    const source = cidrSource(range.cidrIp, `${path}.ipRanges.items[${i}].cidrIp`, 'ipv4');
    rules.push(withDescription({ ...base, source }, range.description));
  });
  permission.ipv6Ranges.forEach((range, i) => {
    const source = cidrSource(range.cidrIpv6, `${path}.ipv6Ranges.items[${i}].cidrIpv6`, 'ipv6');
    rules.push(withDescription({ ...base, source }, range.description));
  });
  for (const entry of permission.prefixListIds) {
    rules.push(withDescription({ ...base, source: { kind: 'prefix_list', prefixListId: lowerId(entry.prefixListId) } }, entry.description));
  }
  permission.groups.forEach((pair, i) => {
    if (pair.groupId === undefined && pair.groupName === undefined) {
      throw new EventValidationError([`${path}.groups.items[${i}]: neither groupId nor groupName is present`]);
    }
    const source: RuleSource = {
      kind: 'security_group',
      ...(pair.groupId !== undefined ? { groupId: lowerId(pair.groupId) } : {}),
      ...(pair.groupName !== undefined ? { groupName: pair.groupName } : {}),
      ...(pair.userId !== undefined ? { userId: pair.userId } : {}),
    };
    rules.push(withDescription({ ...base, source }, pair.description));
  });
  return rules;
}

function withDescription(rule: Rule, description: string | undefined): Rule {
  return description === undefined ? rule : { ...rule, description };
}

/** The legacy top-level form (`cidrIp`/`sourceSecurityGroupName` beside `ipPermissions: {}`) as a permission. */
function legacyPermission(request: AuthorizeRequest): IpPermission | undefined {
  if (request.cidrIp === undefined && request.sourceSecurityGroupName === undefined) return undefined;
  return {
    // Without a protocol the legacy API opens all traffic; judging it as -1 is the safe reading.
    ipProtocol: request.ipProtocol ?? '-1',
    fromPort: request.fromPort,
    toPort: request.toPort,
    ipRanges: request.cidrIp !== undefined ? [{ cidrIp: request.cidrIp }] : [],
    ipv6Ranges: [],
    prefixListIds: [],
    groups:
      request.sourceSecurityGroupName !== undefined
        ? [{ groupName: request.sourceSecurityGroupName, userId: request.sourceSecurityGroupOwnerId }]
        : [],
  };
}

/** The identity of a rule for matching a request rule to the rule EC2 reports having created. */
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

/** A rule EC2 reports as created (`securityGroupRuleSet` item). */
export function ruleFromCreated(created: CreatedRule, path: string): Rule {
  const protocol = protocolOrThrow(created.ipProtocol, `${path}.ipProtocol`);
  const direction: Direction = created.isEgress ? 'egress' : 'ingress';
  const ports = portsFor(protocol, created.fromPort, created.toPort, path);
  const source = sourceOfCreated(created, path);
  const rule: Rule = {
    direction,
    groupId: lowerId(created.groupId),
    ruleId: lowerId(created.securityGroupRuleId),
    protocol,
    ...ports,
    source,
  };
  return withDescription(rule, created.description);
}

function sourceOfCreated(created: CreatedRule, path: string): RuleSource {
  if (created.cidrIpv4 !== undefined) return cidrSource(created.cidrIpv4, `${path}.cidrIpv4`, 'ipv4');
  if (created.cidrIpv6 !== undefined) return cidrSource(created.cidrIpv6, `${path}.cidrIpv6`, 'ipv6');
  if (created.prefixListId !== undefined) return { kind: 'prefix_list', prefixListId: lowerId(created.prefixListId) };
  const ref = created.referencedGroupInfo;
  if (ref?.groupId !== undefined) {
    return { kind: 'security_group', groupId: lowerId(ref.groupId), ...(ref.userId !== undefined ? { userId: ref.userId } : {}) };
  }
  throw new EventValidationError([`${path}: the rule names no source (cidrIpv4, cidrIpv6, prefixListId or referencedGroupInfo)`]);
}

/**
 * Rules of an Authorize call. Request permissions are expanded and matched to the rules EC2
 * reports creating, which carry the rule ids; a created rule that matches nothing in the request
 * is kept too, since it exists either way.
 */
export function rulesOfAuthorize(
  direction: Direction,
  request: AuthorizeRequest,
  created: readonly CreatedRule[],
  prefix: string,
): Rule[] {
  const target: Target = { direction, groupId: request.groupId, groupName: request.groupId === undefined ? request.groupName : undefined };
  const requested: Rule[] = [];
  request.ipPermissions.forEach((permission, i) => {
    requested.push(...expandPermission(permission, target, `${prefix}.requestParameters.ipPermissions.items[${i}]`));
    guardSize(requested.length);
  });
  const legacy = legacyPermission(request);
  if (legacy !== undefined) requested.push(...expandPermission(legacy, target, `${prefix}.requestParameters`));

  const createdRules = created.map((item, i) => ruleFromCreated(item, `${prefix}.responseElements.securityGroupRuleSet.items[${i}]`));
  guardSize(requested.length + createdRules.length);
  const unmatched = new Map<string, Rule[]>();
  for (const rule of createdRules) {
    const key = ruleKey(rule);
    unmatched.set(key, [...(unmatched.get(key) ?? []), rule]);
  }
  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const rule of requested) {
    // A permission repeated in one call is one EC2 rule: judge and revoke it once. Only exact
    // repeats collapse (protocol spelling aside); a CIDR written with other host bits may be a
    // rule of its own, and keeping it costs at most an "already removed" call.
    const exact = `${ruleKey(rule)}|${rule.source.kind === 'cidr' ? rule.source.cidr : ''}`;
    if (seen.has(exact)) continue;
    seen.add(exact);
    const match = unmatched.get(ruleKey(rule))?.shift();
    rules.push(match === undefined ? rule : { ...rule, groupId: match.groupId, ruleId: match.ruleId });
  }
  for (const leftovers of unmatched.values()) rules.push(...leftovers);
  return rules;
}

/** Rules of a ModifySecurityGroupRules call: the new content of each named rule. */
export function rulesOfModify(groupId: string, updates: readonly ModifyRuleUpdate[], prefix: string): UndirectedRule[] {
  guardSize(updates.length);
  return updates.map((update, i) => {
    const path = `${prefix}.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule[${i}].SecurityGroupRule`;
    const spec = update.SecurityGroupRule;
    // Without a protocol the request keeps the rule's own; -1 is the cautious stand-in until EC2 is asked.
    const protocol = protocolOrThrow(spec.IpProtocol ?? '-1', `${path}.IpProtocol`);
    const ports = portsFor(protocol, spec.FromPort, spec.ToPort, path);
    let source: RuleSource;
    if (spec.CidrIpv4 !== undefined) source = cidrSource(spec.CidrIpv4, `${path}.CidrIpv4`, 'ipv4');
    else if (spec.CidrIpv6 !== undefined) source = cidrSource(spec.CidrIpv6, `${path}.CidrIpv6`, 'ipv6');
    else if (spec.PrefixListId !== undefined) source = { kind: 'prefix_list', prefixListId: lowerId(spec.PrefixListId) };
    else if (spec.ReferencedGroupId !== undefined) source = { kind: 'security_group', groupId: lowerId(spec.ReferencedGroupId) };
    else throw new EventValidationError([`${path}: names no source (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId)`]);
    const rule: UndirectedRule = {
      groupId: lowerId(groupId),
      ruleId: lowerId(update.SecurityGroupRuleId),
      protocol,
      ...ports,
      source,
    };
    return spec.Description === undefined ? rule : { ...rule, description: spec.Description };
  });
}

function guardSize(count: number): void {
  if (count > MAX_RULES_PER_EVENT) {
    throw new EventValidationError([`the event expands to more than ${MAX_RULES_PER_EVENT} rules`]);
  }
}
