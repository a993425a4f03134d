/**
 * A synthetic account for sweep tests, grown from the one real DescribeSecurityGroupRules-shaped
 * item we have: the `securityGroupRuleSet` item of a real console AuthorizeSecurityGroupIngress
 * (tcp/22 from 0.0.0.0/0). Every rule is that item with the group, id, direction, port and
 * source changed; the comment on `accountRules` says which ones a policy should catch.
 */
import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { Rule } from '../../function/core/model/rule';
import type { FakeSecurityGroupRule } from '../helpers/fake-aws';
import { fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

const REAL = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
export const REAL_ITEM: FakeSecurityGroupRule = REAL.responseElements.securityGroupRuleSet.items[0];
export const REGION: string = REAL.awsRegion;
export const ACCOUNT: string = REAL.recipientAccountId;

export const GROUP_COUNT = 40;
export const RULES_PER_GROUP = 25;

export function groupId(g: number): string {
  return `sg-${g.toString(16).padStart(17, '0')}`;
}

function ruleId(g: number, i: number): string {
  return `sgr-${(g * 1000 + i).toString(16).padStart(17, '0')}`;
}

/**
 * 40 groups × 25 rules, contiguous by group. Per group, by `i % 5`:
 * 0 ingress tcp/(1000+i) from 0.0.0.0/0 (violation under the default policy),
 * 1 ingress tcp/443 from 0.0.0.0/0 (allowed), 2 ingress tcp/5432 from 10.20.0.0/16 (allowed),
 * 3 egress all traffic to 0.0.0.0/0 (a violation only where egress is restricted),
 * 4 ingress all traffic from another group (allowed).
 */
export function accountRules(): FakeSecurityGroupRule[] {
  const rules: FakeSecurityGroupRule[] = [];
  for (let g = 0; g < GROUP_COUNT; g++) {
    for (let i = 0; i < RULES_PER_GROUP; i++) {
      const base = { ...REAL_ITEM, groupId: groupId(g), securityGroupRuleId: ruleId(g, i) };
      switch (i % 5) {
        case 0:
          rules.push({ ...base, fromPort: 1000 + i, toPort: 1000 + i });
          break;
        case 1:
          rules.push({ ...base, fromPort: 443, toPort: 443 });
          break;
        case 2:
          rules.push({ ...base, fromPort: 5432, toPort: 5432, cidrIpv4: '10.20.0.0/16' });
          break;
        case 3:
          rules.push({
            securityGroupRuleId: base.securityGroupRuleId,
            groupId: base.groupId,
            isEgress: true,
            ipProtocol: '-1',
            cidrIpv4: '0.0.0.0/0',
          });
          break;
        default:
          rules.push({
            securityGroupRuleId: base.securityGroupRuleId,
            groupId: base.groupId,
            isEgress: false,
            ipProtocol: '-1',
            referencedGroupId: groupId((g + 1) % GROUP_COUNT),
          });
      }
    }
  }
  return rules;
}

/** A rule of the synthetic account as EC2 holds it. */
function storedRule(r: FakeSecurityGroupRule): Rule & { groupId: string; ruleId: string } {
  const source: Rule['source'] =
    r.cidrIpv4 !== undefined
      ? { kind: 'cidr', cidr: r.cidrIpv4, family: 'ipv4' }
      : r.referencedGroupId !== undefined
        ? { kind: 'security_group', groupId: r.referencedGroupId }
        : { kind: 'cidr', cidr: r.cidrIpv6 ?? '', family: 'ipv6' };
  return {
    direction: r.isEgress ? 'egress' : 'ingress',
    groupId: r.groupId,
    ruleId: r.securityGroupRuleId,
    protocol: r.ipProtocol,
    ...(r.ipProtocol === '-1' ? {} : { fromPort: r.fromPort, toPort: r.toPort }),
    source,
  };
}

/** The synthetic account's 40 groups (named `web-<n>`) holding these rules, in an in-memory EC2. */
export function inMemoryAccount(rules = accountRules()): InMemoryEc2 {
  const ec2 = new InMemoryEc2();
  for (let g = 0; g < GROUP_COUNT; g++) ec2.addGroup({ groupId: groupId(g), groupName: `web-${g}` });
  for (const rule of rules) ec2.addRule(storedRule(rule));
  return ec2;
}

/** Splits rules into pages of the given sizes (the last takes the rest). */
export function paginate<T>(rules: readonly T[], sizes: readonly number[]): T[][] {
  const pages: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    pages.push(rules.slice(at, at + size));
    at += size;
  }
  if (at < rules.length) pages.push(rules.slice(at));
  return pages;
}

/** The SDK's shape of a rule, as aws-sdk-client-mock must return it. */
export function sdkRule(rule: FakeSecurityGroupRule): SecurityGroupRule {
  return {
    SecurityGroupRuleId: rule.securityGroupRuleId,
    GroupId: rule.groupId,
    GroupOwnerId: '123456789012',
    IsEgress: rule.isEgress,
    IpProtocol: rule.ipProtocol,
    FromPort: rule.fromPort ?? -1,
    ToPort: rule.toPort ?? -1,
    ...(rule.cidrIpv4 !== undefined ? { CidrIpv4: rule.cidrIpv4 } : {}),
    ...(rule.cidrIpv6 !== undefined ? { CidrIpv6: rule.cidrIpv6 } : {}),
    ...(rule.prefixListId !== undefined ? { PrefixListId: rule.prefixListId } : {}),
    ...(rule.referencedGroupId !== undefined ? { ReferencedGroupInfo: { GroupId: rule.referencedGroupId, UserId: '123456789012' } } : {}),
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
  };
}

export function isIngressViolation(rule: FakeSecurityGroupRule): boolean {
  return !rule.isEgress && rule.ipProtocol === 'tcp' && rule.cidrIpv4 === '0.0.0.0/0' && rule.fromPort !== 443;
}

export function isEgressAllTraffic(rule: FakeSecurityGroupRule): boolean {
  return rule.isEgress;
}
