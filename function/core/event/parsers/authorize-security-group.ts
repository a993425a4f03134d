/**
 * AuthorizeSecurityGroupIngress / AuthorizeSecurityGroupEgress: the request's permissions, one
 * rule per source × protocol × port range, matched to the rules EC2 reports having created
 * (which carry the rule ids). Reads the `ipPermissions` list and the legacy top-level form, and
 * a group named by id or, in the default VPC, by name.
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import { ruleKey } from '../../model/rule-key';
import type { Direction, Rule, RuleSource } from '../../model/rule';
import type { EventParser } from '../change';
import { cidrSource, guardSize, portsFor, protocolOrThrow, withDescription } from '../normalize';
import { AuthorizeRequestSchema, type AuthorizeRequest } from '../schemas/authorize-request.schema';
import type { IpPermission } from '../schemas/ip-permission.schema';
import { AuthorizeResponseSchema, type CreatedRule } from '../schemas/security-group-rule-set.schema';

interface Target {
  readonly direction: Direction;
  readonly groupId?: string;
  readonly groupName?: string;
}

export function authorizeParser(direction: Direction): EventParser {
  return ({ record, path, common }) => {
    const request = AuthorizeRequestSchema.safeParse(record.requestParameters);
    if (!request.success) throw EventValidationError.fromZod(request.error, `${path}.requestParameters`);
    const response = AuthorizeResponseSchema.safeParse(record.responseElements);
    if (!response.success) throw EventValidationError.fromZod(response.error, `${path}.responseElements`);
    const rules = rulesOfAuthorize(direction, request.data, response.data.securityGroupRuleSet, path);
    const groupId = lowerId(request.data.groupId) ?? rules.find((r) => r.groupId !== undefined)?.groupId;
    return { kind: 'change', change: { ...common, groupId, groupName: request.data.groupName, rules, undirectedRules: [] } };
  };
}

/** Expands one IpPermission into one rule per source. */
function expandPermission(permission: IpPermission, target: Target, path: string): Rule[] {
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

/** A rule EC2 reports as created (`securityGroupRuleSet` item). */
function ruleFromCreated(created: CreatedRule, path: string): Rule {
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
function rulesOfAuthorize(direction: Direction, request: AuthorizeRequest, created: readonly CreatedRule[], prefix: string): Rule[] {
  const target: Target = { direction, groupId: request.groupId, groupName: request.groupId === undefined ? request.groupName : undefined };
  // The bound counts distinct rules: the request and the response name the same rules, and a
  // permission repeated in one call is one EC2 rule (judged and revoked once). Only exact
  // repeats collapse (protocol spelling aside); a CIDR written with other host bits may be a
  // rule of its own, and keeping it costs at most an "already removed" call.
  const requested: Rule[] = [];
  const seen = new Set<string>();
  const addDistinct = (rules: readonly Rule[]) => {
    for (const rule of rules) {
      const exact = `${ruleKey(rule)}|${rule.source.kind === 'cidr' ? rule.source.cidr : ''}`;
      if (seen.has(exact)) continue;
      seen.add(exact);
      requested.push(rule);
    }
    guardSize(requested.length);
  };
  request.ipPermissions.forEach((permission, i) => {
    addDistinct(expandPermission(permission, target, `${prefix}.requestParameters.ipPermissions.items[${i}]`));
  });
  const legacy = legacyPermission(request);
  if (legacy !== undefined) addDistinct(expandPermission(legacy, target, `${prefix}.requestParameters`));

  const createdRules = created.map((item, i) => ruleFromCreated(item, `${prefix}.responseElements.securityGroupRuleSet.items[${i}]`));
  const unmatched = new Map<string, Rule[]>();
  for (const rule of createdRules) {
    const key = ruleKey(rule);
    unmatched.set(key, [...(unmatched.get(key) ?? []), rule]);
  }
  const rules: Rule[] = [];
  for (const rule of requested) {
    const match = unmatched.get(ruleKey(rule))?.shift() ?? createdForNamedGroup(rule, unmatched);
    if (match === undefined) rules.push(rule);
    // A source group named in the request is named by id in the created rule: judge that one.
    else if (isNamedGroupSource(rule)) rules.push(withDescription(match, rule.description ?? match.description));
    else rules.push({ ...rule, groupId: match.groupId, ruleId: match.ruleId });
  }
  for (const leftovers of unmatched.values()) rules.push(...leftovers);
  guardSize(rules.length);
  return rules;
}

/** A request rule whose source group is named only by name (the default-VPC form). */
function isNamedGroupSource(rule: Rule): boolean {
  return rule.source.kind === 'security_group' && rule.source.groupId === undefined;
}

/**
 * The created rule that a request rule with a source group named by name became: same
 * direction, protocol and ports, a source group by id. EC2's answer does not repeat the name,
 * so two such rules with the same ports in one call may pair either way; the created rules are
 * judged either way, and only their descriptions could swap.
 */
function createdForNamedGroup(rule: Rule, unmatched: Map<string, Rule[]>): Rule | undefined {
  if (!isNamedGroupSource(rule)) return undefined;
  const shape = ruleKey({ ...rule, source: { kind: 'security_group' } });
  for (const candidates of unmatched.values()) {
    const index = candidates.findIndex(
      (c) => c.source.kind === 'security_group' && ruleKey({ ...c, source: { kind: 'security_group' } }) === shape,
    );
    if (index >= 0) return candidates.splice(index, 1)[0];
  }
  return undefined;
}
