/**
 * The StackSet templates as data: evaluated for the parameters the central module passes, they
 * must create exactly the member pieces, trust exactly the central function's role and EventBridge,
 * and grant the member role exactly what the central role has in its own account.
 */
import { expect } from 'chai';
import { MEMBER_ROLE_SESSION_NAME } from '../../function/core/member-role';
import { ACCOUNT_PERMISSIONS } from '../../modules/account-permissions';
import { securityGroupChangeEventPattern } from '../../modules/event-pattern';
import { memberForwardersTemplate, memberRolesTemplate } from '../../modules/member-stacksets';
import { SecurityGroupSentry } from '../../modules/security-group-sentry';
import { TerraformJson, bareStack } from '../../modules/synthesize-module';
import { evaluateTemplate } from './support/cloudformation';
import { resource, synthesizedWorkspace } from './support/workspace';

const MEMBER_ACCOUNT = '444455556666';
const CENTRAL_ROLE = 'arn:aws:iam::111122223333:role/sg-sentry';
const CENTRAL_BUS = 'arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry';
const PSEUDO = { accountId: MEMBER_ACCOUNT, region: 'eu-west-1' };

type Json = Record<string, any>;

function roles(switches: {
  Enforce: string;
  Restrict: string;
  InspectPrefixLists?: string;
  SecurityHub?: string;
  RemoveExceptionTagKey?: string;
}) {
  return evaluateTemplate(
    memberRolesTemplate(),
    {
      CentralFunctionRoleArn: CENTRAL_ROLE,
      CentralEventBusArn: CENTRAL_BUS,
      MemberRoleName: 'sg-sentry-member',
      WriteRegions: 'eu-west-1,us-east-1',
      ...switches,
    },
    PSEUDO,
  ).resources;
}

const statementsOf = (role: Json) => role.Properties.Policies[0].PolicyDocument.Statement as Json[];

/** The central role's statements with plain values, its account placeholders replaced by the member account. */
function centralStatements(policy: object, props: { securityHub?: boolean } = {}): Json[] {
  const stack = bareStack('central');
  new SecurityGroupSentry(stack, 'sentry', {
    name: 'sg-sentry',
    functionArchivePath: 'function.zip',
    policy: JSON.stringify(policy),
    ...props,
  });
  const documents = Object.values((stack.toTerraform() as Json).data.aws_iam_policy_document) as Json[];
  const document = documents.find((d) => String(d['//'].metadata.path).endsWith('/role_policy_document'))!;
  const text = JSON.stringify(document.statement)
    .replace(/\$\{local\.[^}]*partition[^}]*\}/g, 'aws')
    .replace(/\$\{local\.[^}]*account_id[^}]*\}/g, MEMBER_ACCOUNT);
  return JSON.parse(text) as Json[];
}

describe('member StackSet templates (as data)', () => {
  let module: TerraformJson;

  before(() => {
    module = synthesizedWorkspace().module;
  });

  it('roles: creates exactly the member role and the forwarder role, with the names the function assumes and the rules send with', () => {
    // Act
    const resources = roles({ Enforce: 'true', Restrict: 'false' });

    // Assess
    expect(Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, [r.Type, r.Properties.RoleName]]))).to.deep.equal({
      MemberRole: ['AWS::IAM::Role', 'sg-sentry-member'],
      ForwarderRole: ['AWS::IAM::Role', 'sg-sentry-member-forwarder'],
    });
  });

  it("roles: the member role trusts only the central function's role, and only its sg-sentry session", () => {
    // Act
    const trust = roles({ Enforce: 'true', Restrict: 'false' }).MemberRole!.Properties.AssumeRolePolicyDocument;

    // Assess
    expect(trust.Statement).to.deep.equal([
      {
        Effect: 'Allow',
        Principal: { AWS: CENTRAL_ROLE },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:RoleSessionName': [MEMBER_ROLE_SESSION_NAME] } },
      },
    ]);
  });

  it('roles: the forwarder role is for EventBridge of this account and may only put events on the central bus', () => {
    // Act
    const forwarder = roles({ Enforce: 'true', Restrict: 'false' }).ForwarderRole!;

    // Assess
    expect(forwarder.Properties.AssumeRolePolicyDocument.Statement).to.deep.equal([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': [MEMBER_ACCOUNT] } },
      },
    ]);
    expect(statementsOf(forwarder)).to.deep.equal([
      { Sid: 'ForwardToCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: CENTRAL_BUS },
    ]);
  });

  it('roles: report mode reads only; enforce adds the revokes in the write regions; restrict adds the authorizes', () => {
    // Act
    const sids = (switches: { Enforce: string; Restrict: string }) => statementsOf(roles(switches).MemberRole!).map((s) => s.Sid);
    const enforce = statementsOf(roles({ Enforce: 'true', Restrict: 'false' }).MemberRole!);

    // Assess
    expect(sids({ Enforce: 'false', Restrict: 'true' })).to.deep.equal(['ReadSecurityGroups', 'ReadManagedPrefixLists']);
    expect(sids({ Enforce: 'true', Restrict: 'false' })).to.deep.equal([
      'ReadSecurityGroups',
      'RevokeSecurityGroupRules',
      'ReadManagedPrefixLists',
      'RemoveOffendingPrefixListEntries',
    ]);
    expect(sids({ Enforce: 'true', Restrict: 'true' })).to.deep.equal([
      'ReadSecurityGroups',
      'RevokeSecurityGroupRules',
      'AuthorizeRestrictedReplacementRules',
      'ReadManagedPrefixLists',
      'RemoveOffendingPrefixListEntries',
    ]);
    expect(enforce[1]).to.deep.equal({
      Sid: 'RevokeSecurityGroupRules',
      Effect: 'Allow',
      Action: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: [`arn:aws:ec2:*:${MEMBER_ACCOUNT}:security-group/*`, `arn:aws:ec2:*:${MEMBER_ACCOUNT}:security-group-rule/*`],
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
    });
  });

  const APPROVERS = ['arn:aws:iam::*:role/security-approver'];
  for (const policy of [
    {},
    { mode: 'report' },
    { action: 'restrict', restrict_to: ['10.0.0.0/8'] },
    { exception_approvers: APPROVERS },
    { mode: 'report', exception_tag: 'change:until', exception_approvers: APPROVERS },
  ]) {
    it(`roles: grants the member role the central role's own-account statements for the policy ${JSON.stringify(policy)}`, () => {
      // Prepare: the parameters as the central module passes them for that policy
      const {
        mode,
        action,
        exception_tag: tag = 'sg-sentry:exempt-until',
        exception_approvers: approvers = [],
      } = policy as Record<string, any>;
      const central = centralStatements(policy).filter((s) => s.sid in ACCOUNT_PERMISSIONS);

      // Act
      const member = statementsOf(
        roles({
          Enforce: String(mode !== 'report'),
          Restrict: String(action === 'restrict'),
          RemoveExceptionTagKey: approvers.length > 0 ? tag : '',
        }).MemberRole!,
      );

      // Assess
      expect(member.map((s) => [s.Sid, [s.Action].flat(), [s.Resource].flat(), Object.keys(s.Condition ?? {})])).to.deep.equal(
        central.map((s) => [s.sid, s.actions, s.resources, (s.condition ?? []).map((c: Json) => c.test)]),
      );
    });
  }

  it('roles: RemoveExceptionTagKey adds DeleteTags of that one tag key in enforce mode, never without tags, as the central role has it with exception_approvers', () => {
    // Prepare
    const policy = { exception_tag: 'change:until', exception_approvers: ['arn:aws:iam::*:role/security-approver'] };
    const [central] = centralStatements(policy).filter((s) => s.sid === 'RemoveUnapprovedExceptionTags');

    // Act
    const member = statementsOf(roles({ Enforce: 'true', Restrict: 'false', RemoveExceptionTagKey: 'change:until' }).MemberRole!);

    // Assess
    const removal = member.find((s) => s.Sid === 'RemoveUnapprovedExceptionTags');
    expect(removal).to.deep.equal({
      Sid: 'RemoveUnapprovedExceptionTags',
      Effect: 'Allow',
      Action: 'ec2:DeleteTags',
      Resource: `arn:aws:ec2:*:${MEMBER_ACCOUNT}:security-group/*`,
      Condition: {
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['change:until'] },
        Null: { 'aws:TagKeys': ['false'] },
        StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
      },
    });
    expect(central?.condition?.[0]).to.deep.equal({ test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['change:until'] });
  });

  it('roles: no DeleteTags without RemoveExceptionTagKey (the default), nor in report mode', () => {
    // Act
    const sids = (parameters: Parameters<typeof roles>[0]) => statementsOf(roles(parameters).MemberRole!).map((s) => s.Sid);

    // Assess
    expect(sids({ Enforce: 'true', Restrict: 'false' })).not.to.include('RemoveUnapprovedExceptionTags');
    expect(sids({ Enforce: 'true', Restrict: 'false', RemoveExceptionTagKey: '' })).not.to.include('RemoveUnapprovedExceptionTags');
    expect(sids({ Enforce: 'false', Restrict: 'false', RemoveExceptionTagKey: 'change:until' })).not.to.include(
      'RemoveUnapprovedExceptionTags',
    );
  });

  it("roles: SecurityHub adds the import of findings into the account's own Security Hub, as the central role has it with security_hub", () => {
    // Prepare
    const central = centralStatements({}, { securityHub: true }).filter((s) => s.sid === 'ImportSecurityHubFindings');

    // Act
    const member = statementsOf(
      roles({ Enforce: 'true', Restrict: 'false', InspectPrefixLists: 'false', SecurityHub: 'true' }).MemberRole!,
    );

    // Assess
    expect(member.map((s) => s.Sid)).to.deep.equal(['ReadSecurityGroups', 'RevokeSecurityGroupRules', 'ImportSecurityHubFindings']);
    expect(member.filter((s) => s.Sid === 'ImportSecurityHubFindings').map((s) => [[s.Action].flat(), [s.Resource].flat()])).to.deep.equal(
      central.map((s) => [s.actions, s.resources]),
    );
    expect(member[2]?.Resource).to.equal(`arn:aws:securityhub:*:${MEMBER_ACCOUNT}:product/${MEMBER_ACCOUNT}/default`);
  });

  it('forwarders: one default-bus rule with the central pattern, sending to the central bus as the forwarder role', () => {
    // Act
    const resources = evaluateTemplate(
      memberForwardersTemplate(),
      { CentralEventBusArn: CENTRAL_BUS, MemberRoleName: 'sg-sentry-member' },
      PSEUDO,
    ).resources;

    // Assess
    expect(Object.keys(resources)).to.deep.equal(['ForwarderRule']);
    expect(resources.ForwarderRule).to.deep.include({ Type: 'AWS::Events::Rule' });
    expect(resources.ForwarderRule!.Properties).to.deep.include({
      Name: 'sg-sentry-member-forwarder',
      EventBusName: 'default',
      State: 'ENABLED',
      EventPattern: securityGroupChangeEventPattern(),
      Targets: [
        { Id: 'sg-sentry-central-bus', Arn: CENTRAL_BUS, RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/sg-sentry-member-forwarder` },
      ],
    });
  });

  it('the module passes each template exactly its parameters, and the template body Terraform sees is the template', () => {
    // Act
    const stackSets = [
      ['member_roles', memberRolesTemplate()],
      ['member_forwarders', memberForwardersTemplate()],
    ] as const;

    // Assess
    for (const [name, template] of stackSets) {
      const stackSet = resource(module, 'aws_cloudformation_stack_set', name) as Json;
      // Terraform reads `$${` as a literal `${`.
      expect(JSON.parse((stackSet.template_body as string).replace(/\$\$\{/g, '${')), name).to.deep.equal(template);
      expect(Object.keys(stackSet.parameters).sort(), name).to.deep.equal(Object.keys(template.Parameters).sort());
      expect(stackSet, name).to.include({ permission_model: 'SERVICE_MANAGED', call_as: '${var.stackset_call_as}' });
    }
  });

  it("the module passes the policy's exception tag as RemoveExceptionTagKey when exception_approvers names someone, and nothing otherwise", () => {
    // Prepare
    const parameterFor = (policy: object) => {
      const stack = bareStack('central');
      new SecurityGroupSentry(stack, 'sentry', {
        name: 'sg-sentry',
        functionArchivePath: 'function.zip',
        policy: JSON.stringify(policy),
        organizationId: 'o-a1b2c3d4e5',
        memberOrganizationalUnitIds: ['ou-ab12-11111111'],
      });
      const stackSets = (stack.toTerraform() as Json).resource.aws_cloudformation_stack_set as Record<string, Json>;
      return Object.values(stackSets).find((s) => String(s.name).endsWith('-member-roles'))?.parameters.RemoveExceptionTagKey;
    };

    // Act
    const approved = parameterFor({ exception_tag: 'change:until', exception_approvers: ['arn:aws:iam::*:role/security-approver'] });
    const anyone = parameterFor({ exception_tag: 'change:until' });
    const off = parameterFor({ exception_tag: null, exception_approvers: ['arn:aws:iam::*:role/security-approver'] });

    // Assess
    expect([approved, anyone, off]).to.deep.equal(['change:until', '', '']);
  });

  it('excludes the central account from the forwarder in its own region only', () => {
    // Act
    const instance = resource(module, 'aws_cloudformation_stack_set_instance', 'member_forwarders_instance') as Json;

    // Assess
    expect(instance.deployment_targets).to.deep.equal({
      account_filter_type: '${(each.value == local.region) ? "DIFFERENCE" : null}',
      accounts: '${(each.value == local.region) ? [local.account_id] : null}',
      organizational_unit_ids: '${var.member_organizational_unit_ids}',
    });
    expect(instance.depends_on).to.deep.equal(['aws_cloudformation_stack_set_instance.member_roles_instance']);
  });
});
