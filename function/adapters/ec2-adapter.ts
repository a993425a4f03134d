/**
 * The EC2 port over the AWS SDK. Command clients are imported one by one so that the bundle
 * carries only the schemas of the calls sg-sentry makes.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DeleteTagsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyManagedPrefixListCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type SecurityGroup,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { Rule, RuleSource } from '../core/model/rule';
import { canonicalProtocol, hasPorts, isIcmp } from '../core/model/protocol';
import { parseCidrCached } from '../core/model/cidr';
import { lowerId } from '../core/model/ids';
import type { PrefixListEntry, PrefixListInfo } from '../core/model/prefix-list';
import { ipPermissionOf } from '../core/model/ip-permission';
import type {
  AuthorizeRequest,
  DeleteTagRequest,
  DescribeRulesPage,
  DescribeRulesRequest,
  Ec2Port,
  GroupInfo,
  PrefixListEntriesRequest,
  RemovePrefixListEntriesRequest,
  RevokeByIdRequest,
  RevokeByPermissionRequest,
  RevokeResult,
  UnreadableRule,
} from '../core/ports';
import { Ec2CallError } from '../core/errors';
import { toEc2CallError } from './aws-error';
import type { CredentialSource } from './member-credentials';
import { ec2ClientConfig } from './ec2-client-config';

/** One rule as the exact EC2 permission that names it (the one shape restore commands use too). */
export function toIpPermission(rule: Rule, withDescription = false): IpPermission {
  return ipPermissionOf(rule, withDescription);
}

/** Back from EC2's permission form (e.g. `UnknownIpPermissions`) to rules. */
function rulesOfIpPermission(permission: IpPermission, base: Pick<Rule, 'direction' | 'groupId' | 'groupName'>): Rule[] {
  const protocol = canonicalProtocol(permission.IpProtocol ?? '-1') ?? String(permission.IpProtocol);
  const ports = hasPorts(protocol) || isIcmp(protocol) ? { fromPort: permission.FromPort, toPort: permission.ToPort } : {};
  const sources: RuleSource[] = [
    ...(permission.IpRanges ?? []).map((r): RuleSource => ({ kind: 'cidr', cidr: r.CidrIp ?? '', family: 'ipv4' })),
    ...(permission.Ipv6Ranges ?? []).map((r): RuleSource => ({ kind: 'cidr', cidr: r.CidrIpv6 ?? '', family: 'ipv6' })),
    ...(permission.PrefixListIds ?? []).map((p): RuleSource => ({ kind: 'prefix_list', prefixListId: lowerId(p.PrefixListId ?? '') })),
    ...(permission.UserIdGroupPairs ?? []).map(
      (g): RuleSource => ({ kind: 'security_group', groupId: lowerId(g.GroupId), groupName: g.GroupName, userId: g.UserId }),
    ),
  ];
  return sources.map((source) => ({ ...base, protocol, ...ports, source }));
}

/** A rule as DescribeSecurityGroupRules reports it, or why it cannot be read. */
export function ruleOfSecurityGroupRule(rule: SecurityGroupRule): Rule | UnreadableRule {
  const protocol = canonicalProtocol(rule.IpProtocol ?? '-1');
  if (rule.GroupId === undefined) return unreadableRule(rule, 'EC2 names no group for it');
  if (protocol === undefined) return unreadableRule(rule, `unknown protocol ${JSON.stringify(rule.IpProtocol)}`);
  const source = sourceOfSecurityGroupRule(rule);
  if (source === undefined) {
    return unreadableRule(rule, 'it names no source sg-sentry knows (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo)');
  }
  // Cached: a sweep reads the same few CIDRs thousands of times, and judging parses them again.
  if (source.kind === 'cidr' && parseCidrCached(source.cidr) === undefined)
    return unreadableRule(rule, `${JSON.stringify(source.cidr)} is not a CIDR`);
  const ports = hasPorts(protocol) || isIcmp(protocol) ? { fromPort: rule.FromPort, toPort: rule.ToPort } : {};
  return {
    direction: rule.IsEgress ? 'egress' : 'ingress',
    groupId: lowerId(rule.GroupId),
    ...(rule.SecurityGroupRuleId !== undefined ? { ruleId: lowerId(rule.SecurityGroupRuleId) } : {}),
    protocol,
    ...ports,
    source,
    ...(rule.Description !== undefined && rule.Description !== '' ? { description: rule.Description } : {}),
  };
}

function sourceOfSecurityGroupRule(rule: SecurityGroupRule): RuleSource | undefined {
  if (rule.CidrIpv4 !== undefined) return { kind: 'cidr', cidr: rule.CidrIpv4, family: 'ipv4' };
  if (rule.CidrIpv6 !== undefined) return { kind: 'cidr', cidr: rule.CidrIpv6, family: 'ipv6' };
  if (rule.PrefixListId !== undefined) return { kind: 'prefix_list', prefixListId: lowerId(rule.PrefixListId) };
  const ref = rule.ReferencedGroupInfo;
  if (ref?.GroupId === undefined) return undefined;
  return { kind: 'security_group', groupId: lowerId(ref.GroupId), ...(ref.UserId !== undefined ? { userId: ref.UserId } : {}) };
}

/** The rule as EC2 wrote it, for the report: nothing here is judged. */
function unreadableRule(rule: SecurityGroupRule, problem: string): UnreadableRule {
  const written = (
    [
      ['CidrIpv4', rule.CidrIpv4],
      ['CidrIpv6', rule.CidrIpv6],
      ['PrefixListId', rule.PrefixListId],
      ['ReferencedGroupInfo', rule.ReferencedGroupInfo?.GroupId],
    ] as const
  ).find(([, value]) => value !== undefined);
  const source = written === undefined ? 'unknown source' : `${written[0]} ${written[1]}`;
  return {
    ...(rule.GroupId !== undefined ? { groupId: lowerId(rule.GroupId) } : {}),
    ...(rule.SecurityGroupRuleId !== undefined ? { ruleId: lowerId(rule.SecurityGroupRuleId) } : {}),
    direction: rule.IsEgress ? 'egress' : 'ingress',
    protocol: String(rule.IpProtocol ?? '-1'),
    ...(rule.FromPort !== undefined ? { fromPort: rule.FromPort } : {}),
    ...(rule.ToPort !== undefined ? { toPort: rule.ToPort } : {}),
    source,
    ...(rule.Description !== undefined && rule.Description !== '' ? { description: rule.Description } : {}),
    problem,
  };
}

function groupInfosOf(groups: readonly SecurityGroup[] | undefined): GroupInfo[] {
  return (groups ?? []).flatMap((g) =>
    g.GroupId === undefined
      ? []
      : [
          {
            groupId: lowerId(g.GroupId),
            ...(g.GroupName !== undefined ? { groupName: g.GroupName } : {}),
            ...(g.VpcId !== undefined ? { vpcId: g.VpcId } : {}),
            tags: Object.fromEntries((g.Tags ?? []).flatMap((t) => (t.Key !== undefined ? [[t.Key, t.Value ?? '']] : []))),
          },
        ],
  );
}

function isReadable(rule: Rule | UnreadableRule): rule is Rule {
  return !('problem' in rule);
}

async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toEc2CallError(error);
  }
}

export class Ec2Adapter implements Ec2Port {
  constructor(private readonly client: EC2Client) {}

  /** EC2 in a region; with `credentials` (a member role's), else the SDK's standard chain. */
  static forRegion(region: string, credentials?: CredentialSource): Ec2Adapter {
    return new Ec2Adapter(new EC2Client(ec2ClientConfig(region, credentials)));
  }

  async revokeRuleIds(request: RevokeByIdRequest): Promise<RevokeResult> {
    const input = { GroupId: request.groupId, SecurityGroupRuleIds: [...request.ruleIds] };
    const command =
      request.direction === 'ingress' ? new RevokeSecurityGroupIngressCommand(input) : new RevokeSecurityGroupEgressCommand(input);
    await call(() => this.client.send(command as RevokeSecurityGroupIngressCommand));
    return { unknownRules: [] };
  }

  async revokePermissions(request: RevokeByPermissionRequest): Promise<RevokeResult> {
    const target = request.groupId !== undefined ? { GroupId: request.groupId } : { GroupName: request.groupName };
    const input = { ...target, IpPermissions: request.rules.map((r) => toIpPermission(r)) };
    let output;
    if (request.direction === 'ingress') {
      output = await call(() => this.client.send(new RevokeSecurityGroupIngressCommand(input)));
    } else {
      const groupId = request.groupId;
      // EC2 names egress rules only by group id (egress exists only in VPC groups).
      if (groupId === undefined) throw new Ec2CallError('MissingGroupId', 'egress rules can only be revoked by group id', false);
      output = await call(() => this.client.send(new RevokeSecurityGroupEgressCommand({ ...input, GroupId: groupId })));
    }
    const base = { direction: request.direction, groupId: request.groupId, groupName: request.groupName };
    return { unknownRules: (output.UnknownIpPermissions ?? []).flatMap((p) => rulesOfIpPermission(p, base)) };
  }

  async authorizePermissions(request: AuthorizeRequest): Promise<void> {
    const input = { GroupId: request.groupId, IpPermissions: request.rules.map((r) => toIpPermission(r, true)) };
    if (request.direction === 'ingress') await call(() => this.client.send(new AuthorizeSecurityGroupIngressCommand(input)));
    else await call(() => this.client.send(new AuthorizeSecurityGroupEgressCommand(input)));
  }

  async describeRules(request: DescribeRulesRequest): Promise<DescribeRulesPage> {
    const output = await call(() =>
      this.client.send(
        new DescribeSecurityGroupRulesCommand({
          ...(request.ruleIds !== undefined ? { SecurityGroupRuleIds: [...request.ruleIds] } : {}),
          ...(request.groupIds !== undefined ? { Filters: [{ Name: 'group-id', Values: [...request.groupIds] }] } : {}),
          ...(request.nextToken !== undefined ? { NextToken: request.nextToken } : {}),
          ...(request.maxResults !== undefined ? { MaxResults: request.maxResults } : {}),
        }),
      ),
    );
    const read = (output.SecurityGroupRules ?? []).map(ruleOfSecurityGroupRule);
    const rules = read.filter(isReadable);
    const unreadable = read.filter((r): r is UnreadableRule => !isReadable(r));
    return { rules, ...(unreadable.length > 0 ? { unreadable } : {}), ...(output.NextToken ? { nextToken: output.NextToken } : {}) };
  }

  async deleteTag(request: DeleteTagRequest): Promise<void> {
    // With a Value, EC2 deletes the tag only while it still has that value.
    await call(() =>
      this.client.send(new DeleteTagsCommand({ Resources: [request.groupId], Tags: [{ Key: request.key, Value: request.value }] })),
    );
  }

  async describeGroups(groupIds: readonly string[]): Promise<readonly GroupInfo[]> {
    const output = await call(() => this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] })));
    return groupInfosOf(output.SecurityGroups);
  }

  async describeGroupByName(groupName: string): Promise<GroupInfo | undefined> {
    const output = await call(() => this.client.send(new DescribeSecurityGroupsCommand({ GroupNames: [groupName] })));
    return groupInfosOf(output.SecurityGroups)[0];
  }

  async describePrefixLists(prefixListIds: readonly string[]): Promise<readonly PrefixListInfo[]> {
    const output = await call(() => this.client.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [...prefixListIds] })));
    return (output.PrefixLists ?? []).flatMap((list) =>
      list.PrefixListId === undefined
        ? []
        : [
            {
              prefixListId: lowerId(list.PrefixListId),
              ...(list.PrefixListName !== undefined ? { name: list.PrefixListName } : {}),
              ...(list.OwnerId !== undefined ? { ownerId: list.OwnerId } : {}),
              ...(list.Version !== undefined ? { version: list.Version } : {}),
            },
          ],
    );
  }

  async prefixListEntries(request: PrefixListEntriesRequest): Promise<readonly PrefixListEntry[]> {
    const entries: PrefixListEntry[] = [];
    let token: string | undefined;
    do {
      const output = await call(() =>
        this.client.send(
          new GetManagedPrefixListEntriesCommand({
            PrefixListId: request.prefixListId,
            ...(request.version !== undefined ? { TargetVersion: request.version } : {}),
            MaxResults: 100,
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const entry of output.Entries ?? []) {
        if (entry.Cidr !== undefined) entries.push({ cidr: entry.Cidr, ...(entry.Description ? { description: entry.Description } : {}) });
      }
      token = output.NextToken || undefined;
    } while (token !== undefined);
    return entries;
  }

  async removePrefixListEntries(request: RemovePrefixListEntriesRequest): Promise<{ readonly version?: number }> {
    const output = await call(() =>
      this.client.send(
        new ModifyManagedPrefixListCommand({
          PrefixListId: request.prefixListId,
          CurrentVersion: request.currentVersion,
          RemoveEntries: request.cidrs.map((cidr) => ({ Cidr: cidr })),
        }),
      ),
    );
    const version = output.PrefixList?.Version;
    return version !== undefined ? { version } : {};
  }
}
