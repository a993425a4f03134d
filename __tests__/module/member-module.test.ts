/**
 * The member module (dist/terraform-module-member) as synthesized: its inputs, the roles only where
 * create_roles holds, the member role's statements under the same switches as the StackSet
 * template's, and a README that lists everything.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_PERMISSIONS, ACCOUNT_SWITCHES, ACCOUNT_VALUES, needsOf } from '../../modules/account-permissions';
import { securityGroupChangeEventPattern } from '../../modules/event-pattern';
import { FORWARDER_PERMISSIONS } from '../../modules/member-pieces';
import { TerraformJson } from '../../modules/synthesize-module';
import { dataSource, resource, resourceAddresses, synthesizedWorkspace } from './support/workspace';

type Json = Record<string, any>;

describe('member module (synthesized)', () => {
  let module: TerraformJson;
  let readme: string;

  before(() => {
    const workspace = synthesizedWorkspace();
    module = workspace.memberModule;
    readme = readFileSync(join(workspace.memberModuleDir, 'README.md'), 'utf8');
  });

  it('takes the central ARNs as required inputs, and everything else with a default', () => {
    // Act
    const variables = module.variable as Record<string, Json>;

    // Assess
    expect(Object.keys(variables).sort()).to.deep.equal(
      [
        'central_event_bus_arn',
        'central_function_role_arn',
        'create_roles',
        'member_role_name',
        'tags',
        'write_regions',
        ...Object.values(ACCOUNT_SWITCHES).map((s) => s.variable),
        ...Object.values(ACCOUNT_VALUES).map((v) => v.variable),
      ].sort(),
    );
    expect(variables.central_event_bus_arn).not.to.have.property('default');
    expect(variables.central_function_role_arn).not.to.have.property('default');
    for (const switchInput of Object.values(ACCOUNT_SWITCHES)) {
      expect(variables[switchInput.variable], switchInput.variable).to.include({ type: 'bool', default: switchInput.memberDefault });
    }
    for (const valueInput of Object.values(ACCOUNT_VALUES)) {
      expect(variables[valueInput.variable], valueInput.variable).to.include({ type: 'string', default: null });
    }
    expect(variables.member_role_name?.default).to.equal('sg-sentry-member');
  });

  it('creates the forwarder in every instance and the two roles only where create_roles is true', () => {
    // Assess
    expect(resourceAddresses(module)).to.deep.equal([
      'aws_cloudwatch_event_rule.forwarder',
      'aws_cloudwatch_event_target.forwarder_target',
      'aws_iam_role.forwarder_role',
      'aws_iam_role.member_role',
      'aws_iam_role_policy.forwarder_role_policy',
      'aws_iam_role_policy.member_role_policy',
    ]);
    for (const [type, name] of [
      ['aws_iam_role', 'member_role'],
      ['aws_iam_role', 'forwarder_role'],
      ['aws_iam_role_policy', 'member_role_policy'],
      ['aws_iam_role_policy', 'forwarder_role_policy'],
    ] as const) {
      expect(resource(module, type, name).count, name).to.equal('${var.create_roles ? 1 : 0}');
    }
    expect(module).not.to.have.property('provider');
  });

  it("forwards the central module's own pattern from the default bus to the central bus, as the forwarder role", () => {
    // Act
    const rule = resource(module, 'aws_cloudwatch_event_rule', 'forwarder');
    const target = resource(module, 'aws_cloudwatch_event_target', 'forwarder_target');

    // Assess
    expect(JSON.parse(rule.event_pattern as string)).to.deep.equal(securityGroupChangeEventPattern());
    expect(rule).not.to.have.property('event_bus_name');
    expect(rule.name).to.equal('${var.member_role_name}-forwarder');
    expect(target).to.include({
      arn: '${var.central_event_bus_arn}',
      role_arn: 'arn:${local.partition}:iam::${local.account_id}:role/${var.member_role_name}-forwarder',
    });
  });

  it('grants each member-role statement under the switch inputs its definition requires, and only while the values it needs are set', () => {
    // Act
    const document = dataSource(module, 'aws_iam_policy_document', 'member_role_policy_document') as Json;
    const fixed = (document.statement as Json[]).map((s) => s.sid);
    const deferred = Object.fromEntries((document.dynamic.statement as Json[]).map((d) => [d.content.sid, d.for_each]));

    // Assess
    for (const [sid, definition] of Object.entries(ACCOUNT_PERMISSIONS)) {
      if (definition.requires.length === 0 && needsOf(definition).length === 0) {
        expect(fixed, sid).to.include(sid);
        continue;
      }
      for (const name of Object.keys(ACCOUNT_SWITCHES)) {
        const referenced = String(deferred[sid]).includes(`var.${ACCOUNT_SWITCHES[name as keyof typeof ACCOUNT_SWITCHES].variable}`);
        expect(referenced, `${sid} / ${name}`).to.equal((definition.requires as readonly string[]).includes(name));
      }
      for (const [name, value] of Object.entries(ACCOUNT_VALUES)) {
        const needed = (needsOf(definition) as readonly string[]).includes(name);
        expect(String(deferred[sid]).includes(`var.${value.variable} != null`), `${sid} / ${name}`).to.equal(needed);
      }
    }
    expect(dataSource(module, 'aws_iam_policy_document', 'member_role_trust_document').statement).to.deep.equal([
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: ['${var.central_function_role_arn}'] }],
        condition: [{ test: 'StringEquals', variable: 'sts:RoleSessionName', values: ['sg-sentry'] }],
      },
    ]);
  });

  it('limits DeleteTags to the tag key remove_exception_tag_key names', () => {
    // Act
    const document = dataSource(module, 'aws_iam_policy_document', 'member_role_policy_document') as Json;
    const removal = (document.dynamic.statement as Json[]).find((d) => d.content.sid === 'RemoveUnapprovedExceptionTags')!;

    // Assess
    expect(removal.for_each).to.equal(
      '${(var.enforce && (var.remove_exception_tag_key != null)) ? ["RemoveUnapprovedExceptionTags"] : []}',
    );
    expect(removal.content.condition).to.deep.equal([
      { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['${var.remove_exception_tag_key}'] },
      { test: 'Null', variable: 'aws:TagKeys', values: ['false'] },
      { test: 'StringEquals', variable: 'aws:RequestedRegion', values: '${coalescelist(var.write_regions, [local.region])}' },
    ]);
  });

  it('generates a README with every input, output and statement', () => {
    // Assess
    for (const name of Object.keys(module.variable as object)) expect(readme, name).to.contain(`| \`${name}\` |`);
    for (const [name, o] of Object.entries(module.output as Record<string, { description: string }>)) {
      expect(readme, name).to.contain(`| \`${name}\` | ${o.description} |`);
    }
    for (const [sid, definition] of Object.entries({ ...ACCOUNT_PERMISSIONS, ...FORWARDER_PERMISSIONS })) {
      expect(readme, sid).to.contain(`| \`${sid}\` |`).and.contain(definition.why);
    }
    expect(readme).to.match(/\| `central_event_bus_arn` \|[^\n]*\| required \|/);
  });
});
