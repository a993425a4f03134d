/**
 * The construct used directly from a cdktf app with plain values: every condition is decided at
 * synth time, so the synthesized stack carries plain statements, maps and counts.
 */
import { expect } from 'chai';
import { ENV } from '../../function/core/env-names';
import { SecurityStack } from '../../examples/cdktf/main';
import { SecurityGroupSentry, SecurityGroupSentryProps } from '../../modules/security-group-sentry';
import { bareRoot, bareStack, synthesizeModuleJson } from '../../modules/synthesize-module';
import { AWS_PROVIDER_VERSION } from '../../modules/requirements';
import { BUNDLE_FILE } from './support/workspace';

type Json = Record<string, any>;

/** Synthesizes one construct in a bare stack (no App: nothing is written to disk). */
function synthesize(props: Partial<SecurityGroupSentryProps>): Json {
  const stack = bareStack('test');
  new SecurityGroupSentry(stack, 'sentry', { name: 'sg-sentry', functionArchivePath: 'function.zip', ...props });
  return stack.toTerraform() as Json;
}

/** The single resource of a type (its logical id is cdktf's hashed one), or the one whose construct id is `id`. */
function only(resources: Json, type: string, id?: string): Json {
  const bodies = (Object.values(resources[type] ?? {}) as Json[]).filter(
    (body) => id === undefined || String(body['//'].metadata.path).endsWith(`/${id}`),
  );
  if (bodies.length !== 1) throw new Error(`expected one ${type}${id ? ` ${id}` : ''}, found ${bodies.length}`);
  return bodies[0]!;
}

const rolePolicy = (tf: Json) => {
  const documents = Object.values(tf.data.aws_iam_policy_document) as Json[];
  return documents.find((d) => String(d['//'].metadata.path).endsWith('/role_policy_document'))!;
};
const sids = (tf: Json) => (rolePolicy(tf).statement as Json[]).map((s) => s.sid as string).sort();
const environment = (tf: Json) => only(tf.resource, 'aws_lambda_function').environment.variables as Record<string, string>;

/** Present whatever the policy: the module creates its key by default. */
const BASE = [
  'PublishNotifications',
  'ReadManagedPrefixLists',
  'ReadSecurityGroups',
  'RememberExemptionsInStateTable',
  'SendEachNotificationOnce',
  'SendFailedEventsToDeadLetterQueue',
  'UseModuleKeyOfStateTable',
  'UseModuleKeyOfTopicAndQueue',
  'WriteOwnLogs',
];

describe('SecurityGroupSentry construct with plain values', () => {
  it('decides every optional statement at synth time: no dynamic blocks, the default policy revokes', () => {
    // Act
    const tf = synthesize({});

    // Assess
    expect(rolePolicy(tf)).not.to.have.property('dynamic');
    expect(sids(tf)).to.deep.equal([...BASE, 'RemoveOffendingPrefixListEntries', 'RevokeSecurityGroupRules'].sort());
  });

  it('grants the prefix-list reads, and the removal of entries when enforcing, only while the policy inspects prefix lists', () => {
    // Act
    const inspecting = synthesize({});
    const trusting = synthesize({ policy: JSON.stringify({ inspect_prefix_lists: false }) });

    // Assess
    const statement = (tf: Json, sid: string) => (rolePolicy(tf).statement as Json[]).find((s) => s.sid === sid);
    expect(statement(inspecting, 'ReadManagedPrefixLists')).to.deep.include({
      actions: ['ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'],
      resources: ['*'],
    });
    expect(statement(inspecting, 'RemoveOffendingPrefixListEntries')?.actions).to.deep.equal(['ec2:ModifyManagedPrefixList']);
    expect(statement(inspecting, 'RemoveOffendingPrefixListEntries')?.resources[0]).to.match(/:prefix-list\/\*$/);
    expect(sids(trusting)).not.to.include.members(['ReadManagedPrefixLists']);
    expect(sids(trusting)).not.to.include('RemoveOffendingPrefixListEntries');
  });

  it('adds exactly ssm:GetParameter and its kms:Decrypt, and the env var, for a Slack parameter; nothing without', () => {
    // Act
    const without = synthesize({});
    const withSlack = synthesize({ slackWebhookSsmParameter: '/sg-sentry/slack' });

    // Assess
    const added = (rolePolicy(withSlack).statement as Json[]).filter((s) => !sids(without).includes(s.sid));
    expect(added.map((s) => [s.sid, s.actions])).to.deep.equal([
      ['ReadSlackWebhookParameter', ['ssm:GetParameter']],
      ['DecryptSlackWebhookParameter', ['kms:Decrypt']],
    ]);
    expect(added[0]!.resources[0]).to.match(/:parameter\/sg-sentry\/slack$/);
    expect(added[1]!.condition.map((c: Json) => c.variable)).to.deep.equal(['kms:ViaService', 'kms:EncryptionContext:PARAMETER_ARN']);
    expect(Object.keys(environment(without)).sort()).to.deep.equal([ENV.selfRoleArn, ENV.stateTable, ENV.topicArn].sort());
    expect(Object.keys(environment(withSlack)).sort()).to.deep.equal(
      [ENV.selfRoleArn, ENV.slackWebhookParam, ENV.stateTable, ENV.topicArn].sort(),
    );
    expect(environment(withSlack)[ENV.slackWebhookParam]).to.equal('/sg-sentry/slack');
  });

  it('passes a given policy minified in SENTRY_POLICY and leaves it unset otherwise', () => {
    // Act
    const tf = synthesize({ policy: '{\n  "mode": "report"\n}' });

    // Assess
    expect(environment(tf)[ENV.policy]).to.equal('{"mode":"report"}');
    expect(environment(synthesize({}))).not.to.have.property(ENV.policy);
  });

  it('grants revoke only outside report mode, and authorize only for the restrict action', () => {
    // Act
    const report = synthesize({ policy: JSON.stringify({ mode: 'report', action: 'restrict', restrict_to: ['10.0.0.0/8'] }) });
    const restrict = synthesize({ policy: JSON.stringify({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }) });

    // Assess
    expect(sids(report)).to.deep.equal(BASE);
    expect(sids(restrict)).to.deep.equal(
      [...BASE, 'AuthorizeRestrictedReplacementRules', 'RemoveOffendingPrefixListEntries', 'RevokeSecurityGroupRules'].sort(),
    );
  });

  it('grants DeleteTags for the exception tag alone when exception_approvers names someone, outside report mode', () => {
    // Act
    const approvers = { exception_tag: 'change:until', exception_approvers: ['arn:aws:iam::*:role/security-approver'] };
    const removing = synthesize({ policy: JSON.stringify(approvers) });
    const reporting = synthesize({ policy: JSON.stringify({ ...approvers, mode: 'report' }) });
    const anyone = synthesize({ policy: JSON.stringify({ exception_tag: 'change:until' }) });
    const off = synthesize({ policy: JSON.stringify({ ...approvers, exception_tag: null }) });

    // Assess
    const statement = (rolePolicy(removing).statement as Json[]).find((s) => s.sid === 'RemoveUnapprovedExceptionTags');
    expect(statement?.actions).to.deep.equal(['ec2:DeleteTags']);
    expect(statement?.resources)
      .to.have.length(1)
      .and.satisfy((r: string[]) => r[0]?.endsWith(':security-group/*'));
    expect(statement?.condition).to.deep.include.members([
      { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['change:until'] },
      { test: 'Null', variable: 'aws:TagKeys', values: ['false'] },
    ]);
    for (const tf of [reporting, anyone, off]) expect(sids(tf)).not.to.include('RemoveUnapprovedExceptionTags');
  });

  it('encrypts with a given key, else with a key it creates, else (createKmsKey false) with AWS-managed keys', () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const given = synthesize({ kmsKeyArn: key });
    const created = synthesize({});
    const managed = synthesize({ createKmsKey: false });

    // Assess
    expect(sids(given)).to.include('UseKeyOfTopicAndQueue').and.not.to.include('UseModuleKeyOfTopicAndQueue');
    expect(only(given.resource, 'aws_kms_key').count).to.equal(0);
    for (const queue of ['dead_letter_queue', 'sweep_queue', 'sweep_dead_letter_queue']) {
      expect(only(given.resource, 'aws_sqs_queue', queue))
        .to.include({ kms_master_key_id: key })
        .and.not.to.have.property('sqs_managed_sse_enabled');
      expect(only(managed.resource, 'aws_sqs_queue', queue))
        .to.include({ sqs_managed_sse_enabled: true })
        .and.not.to.have.property('kms_master_key_id');
    }
    expect(only(given.resource, 'aws_sns_topic', 'topic').kms_master_key_id).to.equal(key);
    expect(only(created.resource, 'aws_kms_key')).to.include({ count: 1, enable_key_rotation: true });
    expect(only(created.resource, 'aws_sns_topic', 'topic').kms_master_key_id).to.match(/one\(aws_kms_alias\.[^)]*\[\*\]\.name\)/);
    expect(sids(managed)).not.to.include('UseModuleKeyOfTopicAndQueue');
    expect(only(managed.resource, 'aws_kms_key').count).to.equal(0);
    expect(only(managed.resource, 'aws_sns_topic', 'topic').kms_master_key_id).to.equal('alias/aws/sns');
  });

  it('puts every resource and data source of an instance on the provider it is given, the other on the default', () => {
    // Act
    const tf = new SecurityStack(bareRoot(), 'security', {
      region: 'eu-west-1',
      bundleFile: BUNDLE_FILE,
      secondRegion: 'us-east-1',
    }).toTerraform() as Json;

    // Assess
    const blocks = [...Object.values(tf.resource), ...Object.values(tf.data)].flatMap((byName) => Object.values(byName as Json)) as Json[];
    const inSecond = (b: Json) => String(b['//'].metadata.path).includes('/sg-sentry-second-region/');
    expect(blocks.filter(inSecond).length).to.be.greaterThan(20);
    expect(blocks.filter((b) => inSecond(b) !== (b.provider === 'aws.second_region'))).to.deep.equal([]);
  });

  it('asks the stack for the AWS provider range, not the exact version the bindings were generated from', () => {
    // Act
    const tf = new SecurityStack(bareRoot(), 'security', { region: 'eu-west-1', bundleFile: BUNDLE_FILE }).toTerraform() as Json;

    // Assess
    expect(tf.terraform.required_providers.aws).to.deep.equal({ source: 'aws', version: AWS_PROVIDER_VERSION });
  });

  it('names the role after the region, honours path and boundary, and creates no role for an existing one', () => {
    // Prepare
    const boundary = 'arn:aws:iam::111122223333:policy/workload-boundary';
    const existing = 'arn:aws:iam::111122223333:role/platform/sg-sentry';

    // Act
    const created = synthesize({ rolePath: '/security/', rolePermissionsBoundaryArn: boundary, reservedConcurrency: null });
    const given = synthesize({ existingRoleArn: existing });

    // Assess
    expect(only(created.resource, 'aws_iam_role', 'role')).to.include({ count: 1, path: '/security/', permissions_boundary: boundary });
    expect(only(created.resource, 'aws_iam_role', 'role').name).to.match(/^sg-sentry-\$\{local\..*region.*\}$/);
    expect(only(created.resource, 'aws_lambda_function').reserved_concurrent_executions).to.equal(-1);
    expect(only(given.resource, 'aws_iam_role', 'role').count).to.equal(0);
    expect(only(given.resource, 'aws_iam_role_policy').count).to.equal(0);
    expect(only(given.resource, 'aws_lambda_function').role).to.equal(existing);
    expect(environment(given)[ENV.selfRoleArn]).to.equal(existing);
    expect(only(synthesize({}).resource, 'aws_lambda_function').reserved_concurrent_executions).to.equal(5);
  });

  it('sweeps hourly by default and not at all with sweepSchedule null', () => {
    // Act
    const rules = (tf: Json) => Object.values(tf.resource.aws_cloudwatch_event_rule) as Json[];
    const sweep = (tf: Json) => rules(tf).find((r) => String(r['//'].metadata.path).endsWith('/sweep'))!;

    // Assess
    expect(sweep(synthesize({}))).to.include({ count: 1, schedule_expression: 'rate(1 hour)' });
    expect(sweep(synthesize({ sweepSchedule: null }))).to.include({ count: 0 });
  });

  it('publishes to an existing topic instead of creating one', () => {
    // Prepare
    const topic = 'arn:aws:sns:eu-west-1:111122223333:security-alerts';

    // Act
    const tf = synthesize({ createSnsTopic: false, snsTopicArn: topic });

    // Assess
    expect(only(tf.resource, 'aws_sns_topic', 'topic').count).to.equal(0);
    expect(environment(tf)[ENV.topicArn]).to.equal(topic);
    expect(rolePolicy(tf).statement.find((s: Json) => s.sid === 'PublishNotifications').resources).to.deep.equal([topic]);
  });

  it('with an organization: assumes member roles within it, consumes the sweep queue and passes the organization environment', () => {
    // Act
    const tf = synthesize({
      organizationId: 'o-a1b2c3d4e5',
      sweepAccounts: ['organization'],
      sweepRegions: ['eu-west-1', 'us-east-1'],
    });
    const single = synthesize({});

    // Assess
    expect(sids(tf)).to.deep.equal(
      [
        ...BASE,
        'RevokeSecurityGroupRules',
        'RemoveOffendingPrefixListEntries',
        'AssumeMemberRoles',
        'DispatchSweepTargets',
        'ConsumeSweepQueue',
        'ListOrganizationAccounts',
      ].sort(),
    );
    const assume = rolePolicy(tf).statement.find((s: Json) => s.sid === 'AssumeMemberRoles');
    expect(assume.resources[0]).to.match(/:iam::\*:role\/sg-sentry-member$/);
    expect(assume.condition).to.deep.equal([{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: ['o-a1b2c3d4e5'] }]);
    expect(environment(tf)).to.include({
      [ENV.memberRoleName]: 'sg-sentry-member',
      [ENV.sweepAccounts]: '["organization"]',
      [ENV.sweepRegions]: '["eu-west-1","us-east-1"]',
    });
    expect(environment(tf)[ENV.sweepQueueUrl]).to.match(/^https:\/\/sqs\..*\/sg-sentry-sweep$/);
    expect(only(tf.resource, 'aws_lambda_event_source_mapping')).to.deep.include({
      count: 1,
      batch_size: 10,
      function_response_types: ['ReportBatchItemFailures'],
    });
    expect(only(single.resource, 'aws_lambda_event_source_mapping')).to.include({ count: 0 });
    expect(single.resource).not.to.have.property('aws_cloudformation_stack_set');
    expect(Object.keys(environment(single))).not.to.include.members([ENV.memberRoleName, ENV.sweepQueueUrl]);
  });

  it('lists the organization\'s accounts with ListAccounts only when sweep_accounts is ["organization"]', () => {
    // Act
    const tf = synthesize({ organizationId: 'o-a1b2c3d4e5', sweepAccounts: ['111122223333', '444455556666'] });

    // Assess
    expect(sids(tf)).not.to.include('ListOrganizationAccounts');
    expect(environment(tf)[ENV.sweepAccounts]).to.equal('["111122223333","444455556666"]');
  });

  it('rejects StackSet OUs and sweep accounts without an organization, and a sweep_accounts list mixing ids and "organization"', () => {
    // Act
    const attempt = () => synthesize({ memberOrganizationalUnitIds: ['ou-ab12-11111111'], sweepAccounts: ['organization'] });

    // Assess
    expect(attempt).to.throw(/member_organizational_unit_ids and sweep_accounts need organization_id/);
    expect(() => synthesize({ organizationId: 'o-a1b2c3d4e5', sweepAccounts: ['organization', '111122223333'] })).to.throw(
      /sweep_accounts must be a list of 12-digit account ids, or \["organization"\] alone/,
    );
  });

  it('rejects plain values the module would reject, naming each problem', () => {
    // Act
    const attempt = () =>
      synthesize({
        name: 'has spaces',
        policy: '{"mode": ',
        notificationEmails: ['not-an-email'],
        createSnsTopic: false,
      });

    // Assess
    expect(attempt).to.throw(
      /name "has spaces": name must be.*policy .*: policy must be null or a JSON object.*notificationEmails \["not-an-email"\]: Every notification_emails entry must be an email address.*Set sns_topic_arn when create_sns_topic = false/,
    );
  });

  it("rejects plain values with the same message as the module variable's validation", () => {
    // Prepare
    const variables = synthesizeModuleJson().variable as Record<string, { validation?: Array<{ error_message: string }> }>;
    const message = (variable: string) => variables[variable]!.validation![0]!.error_message;

    // Act
    const attempt = () => synthesize({ lambdaRuntime: 'nodejs18.x', lambdaMemoryMb: 100.5, logRetentionDays: 2 });

    // Assess
    for (const variable of ['lambda_runtime', 'lambda_memory_mb', 'log_retention_days']) {
      expect(attempt).to.throw(message(variable));
    }
  });

  it('fits into a cdktf stack with a provider (examples/cdktf) and points the function at a staged archive', () => {
    // Act
    const tf = new SecurityStack(bareRoot(), 'security', { region: 'eu-west-1', bundleFile: BUNDLE_FILE }).toTerraform() as Json;

    // Assess
    expect(tf.provider.aws).to.have.lengthOf(1);
    expect(only(tf.resource, 'aws_lambda_function').filename).to.match(/^assets\/function-archive\/[0-9A-F]+\/function\.zip$/);
  });
});
