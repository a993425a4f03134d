/**
 * The member pieces (member-pieces.ts) as two CloudFormation templates for service-managed
 * StackSets, and the StackSets themselves in the central module. The templates are constant:
 * everything a deployment decides (the central role and bus, the member role's name, the
 * switches, the regions) reaches them as StackSet parameters, so a template can be read and
 * tested as data on its own.
 *
 * - roles (one region; IAM is global): the member role and the forwarder role;
 * - forwarders (each forwarded region): the default-bus rule that sends to the central bus.
 */
import { Fn, Op, TerraformIterator, Token, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { CloudformationStackSet } from '@cdktf/provider-aws/lib/cloudformation-stack-set';
import { CloudformationStackSetInstance } from '@cdktf/provider-aws/lib/cloudformation-stack-set-instance';
import { ACCOUNT_SWITCHES, ACCOUNT_VALUES, AccountPermission, AccountSwitch, AccountValue, needsOf } from './account-permissions';
import {
  FORWARDER_ROLE,
  FORWARDER_RULE,
  MEMBER_POLICY_NAME,
  MEMBER_ROLE,
  MemberScope,
  RolePiece,
  iamStatementJson,
  trustPolicyJson,
} from './member-pieces';
import { Condition, choose, joined } from './terraform-values';

export type CfnTemplate = {
  readonly AWSTemplateFormatVersion: '2010-09-09';
  readonly Description: string;
  readonly Parameters: Record<string, Record<string, unknown>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { readonly Type: string; readonly Properties: Record<string, unknown> }>;
};

/** The parameter that carries a list; in the scope it stands as this one-element marker. */
const WRITE_REGIONS = 'WriteRegions';
const CFN_SCOPE: MemberScope = {
  partition: '${AWS::Partition}',
  accountId: '${AWS::AccountId}',
  writeRegions: [`\${${WRITE_REGIONS}}`],
  centralEventBusArn: '${CentralEventBusArn}',
  centralFunctionRoleArn: '${CentralFunctionRoleArn}',
  memberRoleName: '${MemberRoleName}',
  values: Object.fromEntries(Object.entries(ACCOUNT_VALUES).map(([name, v]) => [name, `\${${v.parameter}}`])) as Record<
    AccountValue,
    string
  >,
};

const SUBSTITUTION = /\$\{[^}]+\}/;

/** Strings with `${…}` as `Fn::Sub` (or a plain `Ref`), the list marker as a `Ref` to the list parameter. */
function cfn(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z0-9:]+)\}$/.exec(value);
    if (whole) return { Ref: whole[1] };
    return SUBSTITUTION.test(value) ? { 'Fn::Sub': value } : value;
  }
  if (Array.isArray(value)) {
    if (value.length === 1 && value[0] === CFN_SCOPE.writeRegions[0]) return { Ref: WRITE_REGIONS };
    return value.map(cfn);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cfn(v)]));
  }
  return value;
}

const STRING_PARAMETERS = {
  CentralFunctionRoleArn: "ARN of the central sg-sentry function's role: the only principal the member role trusts.",
  CentralEventBusArn: 'ARN of the central sg-sentry event bus.',
  MemberRoleName: 'Name of the member role; the forwarder role is <name>-forwarder.',
} as const;

const switchCondition = (name: AccountSwitch) => `${ACCOUNT_SWITCHES[name].parameter}On`;
/** A value parameter is set when it is not empty. */
const valueCondition = (name: AccountValue) => `${ACCOUNT_VALUES[name].parameter}Set`;

/** The conditions a statement is present under: its switches on, its values set. */
const conditionsOf = (definition: AccountPermission<MemberScope>) => [
  ...definition.requires.map(switchCondition),
  ...needsOf(definition).map(valueCondition),
];

/** The role's statements; a statement that requires switches or values is an `Fn::If` on them. */
function rolePolicyStatements(role: RolePiece): unknown[] {
  return Object.entries(role.permissions).map(([sid, definition]: [string, AccountPermission<MemberScope>]) => {
    const statement = cfn(iamStatementJson(sid, definition.grant(CFN_SCOPE)));
    const conditions = conditionsOf(definition);
    if (conditions.length === 0) return statement;
    return { 'Fn::If': [conditions.join('And'), statement, { Ref: 'AWS::NoValue' }] };
  });
}

function roleResource(role: RolePiece) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: cfn(role.name(CFN_SCOPE)),
      Description: role.description,
      AssumeRolePolicyDocument: cfn(trustPolicyJson(role.trust(CFN_SCOPE))),
      Policies: [{ PolicyName: MEMBER_POLICY_NAME, PolicyDocument: { Version: '2012-10-17', Statement: rolePolicyStatements(role) } }],
    },
  };
}

/** The roles template: the member role and the forwarder role. */
export function memberRolesTemplate(): CfnTemplate {
  const switches = Object.entries(ACCOUNT_SWITCHES) as Array<[AccountSwitch, (typeof ACCOUNT_SWITCHES)[AccountSwitch]]>;
  const values = Object.entries(ACCOUNT_VALUES) as Array<[AccountValue, (typeof ACCOUNT_VALUES)[AccountValue]]>;
  const combined = [...Object.values(MEMBER_ROLE.permissions), ...Object.values(FORWARDER_ROLE.permissions)]
    .map(conditionsOf)
    .filter((conditions) => conditions.length > 1);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'sg-sentry member roles: the role the central sg-sentry function acts with, and the role that forwards events to it',
    Parameters: {
      ...Object.fromEntries(
        Object.entries(STRING_PARAMETERS).map(([name, description]) => [name, { Type: 'String', Description: description }]),
      ),
      [WRITE_REGIONS]: { Type: 'CommaDelimitedList', Description: 'Regions the member role may change security groups in.' },
      ...Object.fromEntries(
        switches.map(([, s]) => [
          s.parameter,
          { Type: 'String', AllowedValues: ['true', 'false'], Default: String(s.memberDefault), Description: s.description },
        ]),
      ),
      ...Object.fromEntries(
        values.map(([, v]) => [
          v.parameter,
          { Type: 'String', Default: '', MaxLength: 128, Description: `${v.description} Empty: ${v.unset}.` },
        ]),
      ),
    },
    Conditions: {
      ...Object.fromEntries(switches.map(([name, s]) => [switchCondition(name), { 'Fn::Equals': [{ Ref: s.parameter }, 'true'] }])),
      ...Object.fromEntries(
        values.map(([name, v]) => [valueCondition(name), { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: v.parameter }, ''] }] }]),
      ),
      ...Object.fromEntries(
        combined.map((conditions) => [conditions.join('And'), { 'Fn::And': conditions.map((c) => ({ Condition: c })) }]),
      ),
    },
    Resources: { MemberRole: roleResource(MEMBER_ROLE), ForwarderRole: roleResource(FORWARDER_ROLE) },
  };
}

/** The forwarders template: one default-bus rule targeting the central bus. */
export function memberForwardersTemplate(): CfnTemplate {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: "sg-sentry forwarder: sends this region's security-group changes to the central sg-sentry bus",
    Parameters: {
      CentralEventBusArn: { Type: 'String', Description: STRING_PARAMETERS.CentralEventBusArn },
      MemberRoleName: { Type: 'String', Description: STRING_PARAMETERS.MemberRoleName },
    },
    Resources: {
      ForwarderRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: cfn(FORWARDER_RULE.name(CFN_SCOPE.memberRoleName)),
          Description: FORWARDER_RULE.description,
          EventBusName: 'default',
          EventPattern: FORWARDER_RULE.pattern(),
          State: 'ENABLED',
          Targets: [
            { Id: FORWARDER_RULE.targetId, Arn: cfn(CFN_SCOPE.centralEventBusArn), RoleArn: cfn(FORWARDER_RULE.roleArn(CFN_SCOPE)) },
          ],
        },
      },
    },
  };
}

/** The template as a Terraform string: its `${…}` are CloudFormation's, so Terraform must not read them (`$${`). */
export function templateBody(template: CfnTemplate): string {
  return JSON.stringify(template).replace(/\$\{/g, () => '$${');
}

export interface MemberStackSetsProps {
  readonly name: string;
  /** 1 with StackSets, else 0. */
  readonly count: number;
  readonly organizationalUnitIds: string[];
  /** The regions to forward from (for_each keys: known at plan). */
  readonly forwardedRegions: string[];
  readonly callAs: string;
  /** The central deployment: its region and account (excluded from its own region's forwarders). */
  readonly region: string;
  readonly accountId: string;
  readonly centralEventBusArn: string;
  readonly centralFunctionRoleArn: string;
  readonly memberRoleName: string;
  readonly writeRegions: string[];
  readonly switches: Readonly<Record<AccountSwitch, Condition>>;
  /** Each value, and whether the central deployment grants what needs it. */
  readonly values: Readonly<Record<AccountValue, { readonly value: string; readonly set: Condition }>>;
  readonly tags?: { [key: string]: string };
}

/** The two service-managed StackSets and their instances on the OUs. */
export function createMemberStackSets(scope: Construct, props: MemberStackSetsProps): void {
  // Decided at synth: Terraform rejects an empty OU list even in a resource with count 0.
  if (props.count === 0) return;
  const common = {
    count: props.count,
    permissionModel: 'SERVICE_MANAGED',
    callAs: props.callAs,
    autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
    tags: props.tags,
    // AWS fills in the service-linked administration role; older providers then plan a change forever.
    lifecycle: { ignoreChanges: ['administration_role_arn'] },
  };
  const roles = new CloudformationStackSet(scope, 'member_roles', {
    ...common,
    name: `${props.name}-member-roles`,
    description: 'sg-sentry: the member role and the forwarder role in each member account',
    capabilities: ['CAPABILITY_NAMED_IAM'],
    templateBody: templateBody(memberRolesTemplate()),
    parameters: {
      CentralFunctionRoleArn: props.centralFunctionRoleArn,
      CentralEventBusArn: props.centralEventBusArn,
      MemberRoleName: props.memberRoleName,
      [WRITE_REGIONS]: joined(props.writeRegions, ','),
      ...Object.fromEntries(
        (Object.keys(ACCOUNT_SWITCHES) as AccountSwitch[]).map((s) => [
          ACCOUNT_SWITCHES[s].parameter,
          choose(props.switches[s], 'true', 'false'),
        ]),
      ),
      // Empty: not granted.
      ...Object.fromEntries(
        (Object.keys(ACCOUNT_VALUES) as AccountValue[]).map((v) => [
          ACCOUNT_VALUES[v].parameter,
          choose(props.values[v].set, props.values[v].value, ''),
        ]),
      ),
    },
  });
  const forwarders = new CloudformationStackSet(scope, 'member_forwarders', {
    ...common,
    name: `${props.name}-member-forwarders`,
    description: 'sg-sentry: the rule that forwards security-group events to the central bus, in each forwarded region',
    templateBody: templateBody(memberForwardersTemplate()),
    parameters: { CentralEventBusArn: props.centralEventBusArn, MemberRoleName: props.memberRoleName },
  });

  const nameOf = (stackSet: CloudformationStackSet) => Token.asString(Fn.one(propertyAccess(stackSet, ['*', 'name'])));
  // `region` is the instance's region in provider 5.x and, deprecated, still in 6.x.
  const rolesInstance = new CloudformationStackSetInstance(scope, 'member_roles_instance', {
    count: props.count,
    stackSetName: nameOf(roles),
    callAs: props.callAs,
    region: props.region,
    deploymentTargets: { organizationalUnitIds: props.organizationalUnitIds },
  });

  const regions = TerraformIterator.fromList(props.forwardedRegions);
  // In its own region the central account needs no forwarder: its default-bus rule invokes the function already.
  const centralRegion = Op.eq(regions.value, props.region);
  new CloudformationStackSetInstance(scope, 'member_forwarders_instance', {
    forEach: regions,
    stackSetName: nameOf(forwarders),
    callAs: props.callAs,
    region: Token.asString(regions.value),
    deploymentTargets: {
      organizationalUnitIds: props.organizationalUnitIds,
      accountFilterType: choose<string | undefined>(centralRegion, 'DIFFERENCE', undefined),
      accounts: choose<string[] | undefined>(centralRegion, [props.accountId], undefined),
    },
    // The forwarder rules name the forwarder role.
    dependsOn: [rolesInstance],
  });
}
