/**
 * ModifySecurityGroupRules: the new content of each named rule. The request does not say
 * whether a rule is ingress or egress, so the rules come out undirected; the engine reads them
 * back from EC2 before judging.
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import type { RuleSource } from '../../model/rule';
import type { EventParser, UndirectedRule } from '../change';
import { cidrSource, guardSize, portsFor, protocolOrThrow } from '../normalize';
import { ModifySecurityGroupRulesRequestSchema, type ModifyRuleUpdate } from '../schemas/modify-security-group-rules.schema';

export const parseModifySecurityGroupRules: EventParser = ({ record, path, common }) => {
  const request = ModifySecurityGroupRulesRequestSchema.safeParse(record.requestParameters);
  if (!request.success) throw EventValidationError.fromZod(request.error, `${path}.requestParameters`);
  const { GroupId, SecurityGroupRule } = request.data.ModifySecurityGroupRulesRequest;
  const undirectedRules = rulesOfModify(GroupId, SecurityGroupRule, path);
  return { kind: 'change', change: { ...common, groupId: lowerId(GroupId), rules: [], undirectedRules } };
};

function rulesOfModify(groupId: string, updates: readonly ModifyRuleUpdate[], prefix: string): UndirectedRule[] {
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
