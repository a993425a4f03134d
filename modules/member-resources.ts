/**
 * The member pieces (member-pieces.ts) as Terraform resources, for accounts deployed with
 * Terraform rather than StackSets (and for the management account, which service-managed
 * StackSets never reach). One instance per region: the forwarder rule always, the two roles
 * (global) only where `createRoles` holds.
 */
import { Fn, IResolvable, TerraformDataSource, TerraformLocal, Token, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AccountPermission, AccountSwitch, AccountValue, needsOf, whenText } from './account-permissions';
import { FORWARDER_ROLE, FORWARDER_RULE, MEMBER_POLICY_NAME, MEMBER_ROLE, MemberScope, RolePiece } from './member-pieces';
import { PermissionDefinition, policyDocument } from './permissions';
import { Condition, and, choose, isSet } from './terraform-values';

export interface MemberResourcesProps {
  readonly centralEventBusArn: string;
  readonly centralFunctionRoleArn: string;
  readonly memberRoleName: string;
  readonly createRoles: boolean | IResolvable;
  readonly switches: Readonly<Record<AccountSwitch, Condition>>;
  /** The values statements are written with; null: the statements that need it are not granted. */
  readonly values: Readonly<Record<AccountValue, string | null>>;
  /** Regions the member role may change security groups in; empty: this instance's region. */
  readonly writeRegions: string[];
  readonly tags?: { [key: string]: string };
}

interface MemberContext {
  readonly scope: MemberScope;
  readonly switches: Readonly<Record<AccountSwitch, Condition>>;
  /** Whether each value is set. */
  readonly valuesSet: Readonly<Record<AccountValue, Condition>>;
}

/** A role's statements as permission definitions over the member context. */
export function memberPermissionDefinitions(role: RolePiece): Record<string, PermissionDefinition<MemberContext>> {
  return Object.fromEntries(
    Object.entries(role.permissions).map(([sid, definition]: [string, AccountPermission<MemberScope>]) => [
      sid,
      {
        when: whenText(definition, 'member'),
        why: definition.why,
        present: (c: MemberContext) =>
          needsOf(definition).reduce<Condition>(
            (all, name) => and(all, c.valuesSet[name]),
            definition.requires.reduce<Condition>((all, name) => and(all, c.switches[name]), true),
          ),
        grant: (c: MemberContext) => definition.grant(c.scope),
      },
    ]),
  );
}

export class MemberResources extends Construct {
  readonly forwarderRule: CloudwatchEventRule;
  /** Have `count` 0 where `createRoles` is false. */
  readonly memberRole: IamRole;
  readonly forwarderRole: IamRole;
  readonly forwarderRoleArn: string;

  constructor(scope: Construct, id: string, props: MemberResourcesProps) {
    super(scope, id);
    const tags = props.tags;

    this.forwarderRule = new CloudwatchEventRule(this, 'forwarder', {
      name: FORWARDER_RULE.name(props.memberRoleName),
      description: FORWARDER_RULE.description,
      eventPattern: JSON.stringify(FORWARDER_RULE.pattern()),
      tags,
    });
    // From data sources, as in the central module: the role policies are known in the first plan.
    const current = <T extends TerraformDataSource>(dataSource: T) => {
      dataSource.overrideLogicalId('current');
      return dataSource;
    };
    const local = (localName: string, value: string) => new TerraformLocal(this, localName, value).asString;
    const region = local('region', current(new DataAwsRegion(this, 'current_region')).id);
    const partition = local('partition', current(new DataAwsPartition(this, 'current_partition')).partition);
    const accountId = local('account_id', current(new DataAwsCallerIdentity(this, 'current_caller')).accountId);
    const memberScope: MemberScope = {
      partition,
      accountId,
      writeRegions: Token.asList(Fn.coalescelist([props.writeRegions, [region]])),
      centralEventBusArn: props.centralEventBusArn,
      centralFunctionRoleArn: props.centralFunctionRoleArn,
      memberRoleName: props.memberRoleName,
      values: Object.fromEntries(Object.entries(props.values).map(([name, v]) => [name, v ?? ''])) as Record<AccountValue, string>,
    };
    this.forwarderRoleArn = FORWARDER_RULE.roleArn(memberScope);

    new CloudwatchEventTarget(this, 'forwarder_target', {
      rule: this.forwarderRule.name,
      targetId: FORWARDER_RULE.targetId,
      arn: props.centralEventBusArn,
      roleArn: this.forwarderRoleArn,
    });

    const count = Token.asNumber(choose(props.createRoles, 1, 0));
    const valuesSet = Object.fromEntries(Object.entries(props.values).map(([name, v]) => [name, isSet(v)])) as Record<
      AccountValue,
      Condition
    >;
    const context: MemberContext = { scope: memberScope, switches: props.switches, valuesSet };
    this.memberRole = this.role('member_role', MEMBER_ROLE, context, count, tags);
    this.forwarderRole = this.role('forwarder_role', FORWARDER_ROLE, context, count, tags);
  }

  private role(id: string, piece: RolePiece, context: MemberContext, count: number, tags: { [key: string]: string } | undefined): IamRole {
    const trust = piece.trust(context.scope);
    const trustDocument = new DataAwsIamPolicyDocument(this, `${id}_trust_document`, {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: trust.principals, condition: trust.condition }],
    });
    const role = new IamRole(this, id, {
      count,
      name: piece.name(context.scope),
      description: piece.description,
      assumeRolePolicy: trustDocument.json,
      tags,
    });
    const permissions = policyDocument(this, `${id}_policy_document`, memberPermissionDefinitions(piece), context);
    new IamRolePolicy(this, `${id}_policy`, {
      count,
      name: MEMBER_POLICY_NAME,
      role: Token.asString(Fn.one(propertyAccess(role, ['*', 'id']))),
      policy: permissions.json,
    });
    return role;
  }
}
