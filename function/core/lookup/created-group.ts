/**
 * A new group's default egress rule (all traffic to 0.0.0.0/0) is not in its CreateSecurityGroup
 * event: EC2 adds it. When the egress allowlist covers that rule (the default policy allows all
 * egress) nothing is read; otherwise the group's egress rules are read from EC2 at once, so
 * they are judged now and not at the next sweep.
 */
import type { SecurityGroupChange } from '../event/change';
import { evaluateRule } from '../judge/containment';
import type { Rule } from '../model/rule';
import type { Policy } from '../policy/policy';
import type { Ec2Port } from '../ports';

/** The rule EC2 gives every new VPC security group. */
const DEFAULT_EGRESS: Rule = { direction: 'egress', protocol: '-1', source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' } };

function defaultEgressAllowed(policy: Policy): boolean {
  return evaluateRule(DEFAULT_EGRESS, policy).allowed;
}

/**
 * The rule EC2 created with the group, as a stand-in for the judge when it could not be read:
 * none when the change created no group or the policy allows that rule.
 */
export function assumedDefaultEgress(change: Pick<SecurityGroupChange, 'createdGroup' | 'groupId'>, policy: Policy): Rule[] {
  if (defaultEgressAllowed(policy)) return [];
  return defaultEgressOf(change);
}

/** The default egress rule of the group a change created, judged offline (`sg-sentry check`). */
export function defaultEgressOf(change: Pick<SecurityGroupChange, 'createdGroup' | 'groupId'>): Rule[] {
  if (change.createdGroup !== true || change.groupId === undefined) return [];
  return [{ ...DEFAULT_EGRESS, groupId: change.groupId }];
}

/** The egress rules of the group the change created, as EC2 holds them; none when nothing needs reading. EC2 failures throw. */
export async function createdGroupRules(
  change: Pick<SecurityGroupChange, 'createdGroup' | 'groupId'>,
  policy: Policy,
  ec2: Ec2Port,
): Promise<Rule[]> {
  if (change.createdGroup !== true || change.groupId === undefined || defaultEgressAllowed(policy)) return [];
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.describeRules({ groupIds: [change.groupId], ...(token !== undefined ? { nextToken: token } : {}) });
    rules.push(...page.rules.filter((rule) => rule.direction === 'egress'));
    token = page.nextToken;
  } while (token !== undefined);
  return rules;
}
