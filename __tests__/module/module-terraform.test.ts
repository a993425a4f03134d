/**
 * Runs terraform itself, offline, against the synthesized module: every example under
 * examples/terraform must be fmt-clean, init from the local plugin mirror, validate, and plan
 * with placeholder credentials. All directories run in parallel in one before hook.
 */
import { expect } from 'chai';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PlannedResource, TerraformResult, expectSuccess, initOffline, planOffline, terraform } from './support/terraform';
import { synthesizeExample } from '../../examples/cdktf/main';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples', 'terraform')).sort();
const FIXTURES = join(__dirname, 'fixtures', 'terraform');

const BASE_STATEMENTS = [
  'PublishNotifications',
  'ReadManagedPrefixLists',
  'ReadSecurityGroups',
  'RememberExemptionsInStateTable',
  'SendEachNotificationOnce',
  'SendFailedEventsToDeadLetterQueue',
  'WriteOwnLogs',
];
const SLACK_STATEMENTS = ['DecryptSlackWebhookParameter', 'ReadSlackWebhookParameter'];
const MODULE_KEY_STATEMENT = ['UseModuleKeyOfStateTable', 'UseModuleKeyOfTopicAndQueue'];
/** The organization example: one instance, its key, the bus, the sweep queues and the StackSets. */
const ORGANIZATION_CREATES = 40;

/** The attribute AWS identifies each named resource by, within an account and region. */
const IDENTIFYING_NAME: Record<string, string> = {
  aws_cloudwatch_dashboard: 'dashboard_name',
  aws_cloudwatch_event_rule: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_cloudwatch_log_metric_filter: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_dynamodb_table: 'name',
  aws_iam_role: 'name',
  aws_kms_alias: 'name',
  aws_lambda_function: 'function_name',
  aws_sns_topic: 'name',
  aws_sqs_queue: 'name',
};

const ACCOUNT = 'arn:aws:%s:eu-west-1:111122223333:';
const at = (service: string, resource: string) => `${ACCOUNT.replace('%s', service)}${resource}`;
/** The call that creates each resource type, and the ARN it is authorized on, from the planned values. */
const DEPLOYER_CREATES: Record<string, (after: Record<string, unknown>) => [string, string]> = {
  aws_cloudwatch_dashboard: (r) => ['cloudwatch:PutDashboard', `arn:aws:cloudwatch::111122223333:dashboard/${r.dashboard_name}`],
  aws_cloudwatch_event_rule: (r) => ['events:PutRule', at('events', `rule/${r.name}`)],
  aws_cloudwatch_event_target: (r) => ['events:PutTargets', at('events', `rule/${r.rule}`)],
  aws_cloudwatch_log_group: (r) => ['logs:CreateLogGroup', at('logs', `log-group:${r.name}`)],
  aws_cloudwatch_log_metric_filter: (r) => ['logs:PutMetricFilter', at('logs', `log-group:${r.log_group_name}`)],
  aws_cloudwatch_metric_alarm: (r) => ['cloudwatch:PutMetricAlarm', at('cloudwatch', `alarm:${r.alarm_name}`)],
  aws_dynamodb_table: (r) => ['dynamodb:CreateTable', at('dynamodb', `table/${r.name}`)],
  aws_iam_role: (r) => ['iam:CreateRole', `arn:aws:iam::111122223333:role/${r.name}`],
  aws_iam_role_policy: () => ['iam:PutRolePolicy', 'arn:aws:iam::111122223333:role/sg-sentry-eu-west-1'],
  aws_kms_alias: () => ['kms:CreateAlias', '*'],
  aws_kms_key: () => ['kms:CreateKey', '*'],
  aws_lambda_function: (r) => ['lambda:CreateFunction', at('lambda', `function:${r.function_name}`)],
  aws_lambda_function_event_invoke_config: (r) => ['lambda:PutFunctionEventInvokeConfig', at('lambda', `function:${r.function_name}`)],
  aws_lambda_permission: (r) => ['lambda:AddPermission', at('lambda', `function:${r.function_name}`)],
  aws_sns_topic: (r) => ['sns:CreateTopic', at('sns', String(r.name))],
  aws_sns_topic_policy: () => ['sns:SetTopicAttributes', at('sns', 'sg-sentry')],
  aws_sns_topic_subscription: () => ['sns:Subscribe', at('sns', 'sg-sentry')],
  aws_sqs_queue: (r) => ['sqs:CreateQueue', at('sqs', String(r.name))],
  aws_sqs_queue_policy: () => ['sqs:SetQueueAttributes', at('sqs', 'sg-sentry-dlq')],
};

interface ExampleRun {
  readonly fmt: TerraformResult;
  readonly validate: TerraformResult;
  readonly plan: PlannedResource[];
}

async function runExample(dir: string): Promise<ExampleRun> {
  const fmt = await terraform(dir, ['fmt', '-check', '-diff', '-no-color']);
  const validate = await terraform(dir, ['validate', '-no-color']);
  return { fmt, validate, plan: await planOffline(dir) };
}

const creates = (plan: PlannedResource[]) => plan.filter((r) => r.mode === 'managed' && r.actions.includes('create'));
const ofType = (plan: PlannedResource[], type: string) => plan.filter((r) => r.type === type);

interface PolicyDocumentJson {
  readonly Statement: Array<{
    Sid: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
}

/** The module instance a resource belongs to ("" at the root). */
const instanceOf = (address: string) => address.replace(/(^|\.)(data\.)?aws_[a-z0-9_]+\.[^.]+$/, '');

/** The planned policies of one resource type (role policies, topic policies, keys), by module instance. */
function plannedPolicies(plan: PlannedResource[], type: string): Record<string, PolicyDocumentJson> {
  return Object.fromEntries(
    ofType(plan, type).map((r) => {
      expect(r.afterUnknown.policy, `${r.address}.policy is known at plan`).not.to.equal(true);
      return [instanceOf(r.address), JSON.parse(String(r.after.policy)) as PolicyDocumentJson];
    }),
  );
}

/** Sids of the role policy of each module instance, read from the planned role policy. */
function statementSids(plan: PlannedResource[]): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(plannedPolicies(plan, 'aws_iam_role_policy')).map(([instance, document]) => [
      instance,
      document.Statement.map((s) => s.Sid).sort(),
    ]),
  );
}

/** Whether an `after_unknown` shape marks anything unknown. */
function hasUnknown(shape: unknown): boolean {
  if (shape === true) return true;
  if (Array.isArray(shape)) return shape.some(hasUnknown);
  if (shape !== null && typeof shape === 'object') return Object.values(shape).some(hasUnknown);
  return false;
}

describe('terraform module with terraform (offline plan of every example)', function () {
  // Ten examples and four fixtures, planned in parallel on a shared machine.
  this.timeout(900_000);
  const runs = new Map<string, ExampleRun>();
  let unknownAtPlan: PlannedResource[];
  let invalidInputs: TerraformResult;
  let invalidTopicChoice: TerraformResult;
  let cdktfExample: PlannedResource[];

  before(async () => {
    // Prepare: the shared synthesized module, the examples and fixtures copied next to it.
    const { root } = synthesizedWorkspace();
    cpSync(join(REPO_ROOT, 'examples', 'terraform'), join(root, 'examples', 'terraform'), { recursive: true });
    cpSync(FIXTURES, join(root, 'fixtures', 'terraform'), { recursive: true });
    const fixture = (name: string) => join(root, 'fixtures', 'terraform', name);

    synthesizeExample(join(root, 'cdktf.out'));
    const stackDir = join(root, 'cdktf.out', 'stacks', 'security');
    const example = (name: string) => join(root, 'examples', 'terraform', name);

    // Every init before any plan: an init may rewrite the shared plugin cache's entry while
    // another directory's plan is loading the provider from it.
    await Promise.all([
      ...EXAMPLES.map((name) => initOffline(example(name))),
      ...['unknown-at-plan', 'invalid-inputs', 'invalid-topic-choice'].map((name) => initOffline(fixture(name))),
      initOffline(stackDir, { localBackend: true }),
    ]);

    // Act: every plan at once; each directory has its own data dir.
    // allSettled: a failing directory must not leave the others running into the next tests.
    const settled = await Promise.allSettled([
      ...EXAMPLES.map(async (name) => runs.set(name, await runExample(example(name)))),
      (async () => {
        unknownAtPlan = await planOffline(fixture('unknown-at-plan'));
      })(),
      (async () => {
        invalidInputs = await terraform(fixture('invalid-inputs'), ['plan', '-refresh=false', '-no-color']);
      })(),
      (async () => {
        cdktfExample = await planOffline(stackDir);
      })(),
      (async () => {
        invalidTopicChoice = await terraform(fixture('invalid-topic-choice'), ['plan', '-refresh=false', '-no-color']);
      })(),
    ]);
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  });

  it('has the examples the README lists', () => {
    expect(EXAMPLES).to.include.members([
      'basic',
      'custom-policy',
      'existing-topic',
      'multi-instance',
      'two-regions',
      'iam-guardrails',
      'organization',
      'member-account',
    ]);
  });

  it("knows the role policy and the function's environment in the first plan, for every example", () => {
    for (const plan of [...[...runs.values()].map((r) => r.plan), cdktfExample]) {
      // Assess (plannedPolicies fails on a policy known only after apply)
      expect(Object.keys(plannedPolicies(plan, 'aws_iam_role_policy'))).not.to.be.empty;
      for (const fn of ofType(plan, 'aws_lambda_function')) {
        expect(hasUnknown(fn.afterUnknown.environment), `${fn.address}.environment`).to.equal(false);
        expect(fn.after.environment)
          .to.have.nested.property('[0].variables.SENTRY_SELF_ROLE_ARN')
          .that.matches(/^arn:aws:iam::111122223333:role\//);
      }
    }
  });

  it('basic: limits the EC2 writes to its own region and names every ARN from the account and region', () => {
    const policy = plannedPolicies(runs.get('basic')!.plan, 'aws_iam_role_policy')['module.sg_sentry']!;
    const statement = (sid: string) => policy.Statement.find((st) => st.Sid === sid)!;

    expect(statement('RevokeSecurityGroupRules').Condition).to.deep.equal({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
    expect(statement('PublishNotifications').Resource).to.equal('arn:aws:sns:eu-west-1:111122223333:sg-sentry');
    expect(statement('WriteOwnLogs').Resource).to.equal('arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/sg-sentry:*');
    expect(statement('SendFailedEventsToDeadLetterQueue').Resource).to.equal('arn:aws:sqs:eu-west-1:111122223333:sg-sentry-dlq');
    expect(statement('UseModuleKeyOfTopicAndQueue').Condition).to.deep.include({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/sg-sentry' },
    });
  });

  it("basic: lets only the function, this module's alarms and rules publish to the topic, over TLS", () => {
    const policy = plannedPolicies(runs.get('basic')!.plan, 'aws_sns_topic_policy')['module.sg_sentry']!;
    const bySid = Object.fromEntries(policy.Statement.map((st) => [st.Sid, st]));

    expect(Object.keys(bySid)).to.have.members([
      'PublishFromTheFunction',
      'PublishModuleAlarms',
      'PublishFromModuleRules',
      'DenyPublishWithoutTls',
    ]);
    expect(bySid.PublishFromTheFunction!.Principal).to.deep.equal({ AWS: 'arn:aws:iam::111122223333:role/sg-sentry-eu-west-1' });
    expect(bySid.PublishModuleAlarms!.Condition).to.deep.equal({
      ArnLike: {
        'aws:SourceArn': [
          'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:sg-sentry-function-errors',
          'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:sg-sentry-dlq-depth',
          'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:sg-sentry-events-not-checked',
          'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:sg-sentry-failed',
        ],
      },
    });
    expect(bySid.DenyPublishWithoutTls).to.deep.include({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it("basic: the key lets CloudWatch, EventBridge (this module's rules) and Logs (this log group) use it", () => {
    const policy = plannedPolicies(runs.get('basic')!.plan, 'aws_kms_key')['module.sg_sentry']!;
    const bySid = Object.fromEntries(policy.Statement.map((st) => [st.Sid, st]));

    expect(bySid.CloudWatchAlarmsToEncryptedTopic!.Principal).to.deep.equal({ Service: 'cloudwatch.amazonaws.com' });
    expect(bySid.EventBridgeToEncryptedQueue!.Condition).to.deep.equal({
      ArnEquals: {
        'aws:SourceArn': [
          'arn:aws:events:eu-west-1:111122223333:rule/sg-sentry-events',
          'arn:aws:events:eu-west-1:111122223333:rule/sg-sentry-sweep',
        ],
      },
    });
    expect(bySid.CloudWatchLogsEncryptsTheLogGroup!.Condition).to.deep.equal({
      ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/sg-sentry' },
    });
    expect(bySid.AdministerWithIam!.Principal).to.deep.equal({ AWS: 'arn:aws:iam::111122223333:root' });
  });

  it('two-regions: the same name plans twice in one account, the role named and the writes limited per region', () => {
    const plan = runs.get('two-regions')!.plan;
    const policies = plannedPolicies(plan, 'aws_iam_role_policy');

    expect(ofType(plan, 'aws_iam_role').map((r) => r.after.name)).to.have.members(['sg-sentry-eu-west-1', 'sg-sentry-us-east-1']);
    expect(ofType(plan, 'aws_lambda_function').map((r) => r.after.function_name)).to.deep.equal(['sg-sentry', 'sg-sentry']);
    const regionOf = (instance: string) =>
      policies[instance]!.Statement.find((st) => st.Sid === 'RevokeSecurityGroupRules')!.Condition!.StringEquals!['aws:RequestedRegion'];
    expect(regionOf('module.sg_sentry')).to.equal('eu-west-1');
    expect(regionOf('module.sg_sentry_us_east_1')).to.equal('us-east-1');
  });

  it('iam-guardrails: honours the role path and boundary, and creates no role for an existing one', () => {
    const plan = runs.get('iam-guardrails')!.plan;
    const roles = ofType(plan, 'aws_iam_role');
    const audit = ofType(plan, 'aws_lambda_function').find((r) => r.address.startsWith('module.sg_sentry_audit.'))!;

    expect(roles).to.have.lengthOf(1);
    expect(roles[0]!.after).to.include({
      name: 'sg-sentry-eu-west-1',
      path: '/security/',
      permissions_boundary: 'arn:aws:iam::111122223333:policy/platform/workload-boundary',
    });
    expect(audit.after.role).to.equal('arn:aws:iam::111122223333:role/platform/sg-sentry-audit');
    expect(audit.after.environment).to.have.nested.property(
      '[0].variables.SENTRY_SELF_ROLE_ARN',
      'arn:aws:iam::111122223333:role/platform/sg-sentry-audit',
    );
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry': [
        ...BASE_STATEMENTS,
        ...MODULE_KEY_STATEMENT,
        'RemoveOffendingPrefixListEntries',
        'RevokeSecurityGroupRules',
      ].sort(),
      '': [...BASE_STATEMENTS, ...MODULE_KEY_STATEMENT].sort(),
    });
    const published = ofType(plan, 'aws_lambda_function').find((r) => r.address.startsWith('module.sg_sentry.'))!;
    expect(published.after.environment).to.have.nested.property(
      '[0].variables.SENTRY_SELF_ROLE_ARN',
      'arn:aws:iam::111122223333:role/security/sg-sentry-eu-west-1',
    );
  });

  for (const name of EXAMPLES) {
    it(`${name}: is terraform fmt clean and validates`, () => {
      const run = runs.get(name)!;

      expect(run.fmt.code, run.fmt.stdout).to.equal(0);
      expectSuccess(run.validate, `terraform validate of ${name}`);
    });
  }

  it('basic: plans the 26 resources of one instance with two email subscriptions', () => {
    const plan = runs.get('basic')!.plan;

    expect(creates(plan)).to.have.lengthOf(26);
    expect(
      ofType(plan, 'aws_sns_topic_subscription')
        .map((r) => r.after.endpoint)
        .sort(),
    ).to.deep.equal(['platform-oncall@example.com', 'secops@example.com']);
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry': [
        ...BASE_STATEMENTS,
        ...MODULE_KEY_STATEMENT,
        'RemoveOffendingPrefixListEntries',
        'RevokeSecurityGroupRules',
      ].sort(),
    });
  });

  it("basic: the README's deployer policy allows creating every resource the plan creates, on the resource's own ARN", () => {
    // Prepare: the policy from "What the deployer needs"
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## What the deployer needs'));
    const json = /```json\n([\s\S]*?)\n```/.exec(section)![1]!;
    const statements = (JSON.parse(json) as { Statement: Array<{ Action: string | string[]; Resource: string | string[] }> }).Statement;
    const allows = (action: string, arn: string) =>
      statements.some(
        (st) =>
          [st.Action].flat().includes(action) &&
          [st.Resource]
            .flat()
            .some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(arn)),
      );

    // Act
    const created = creates(runs.get('basic')!.plan);

    // Assess
    expect(
      created.map((r) => r.type).filter((type) => !DEPLOYER_CREATES[type]),
      "types without a create call in the test's table",
    ).to.deep.equal([]);
    const denied = created.flatMap((resource) => {
      const [action, arn] = DEPLOYER_CREATES[resource.type]!(resource.after);
      return allows(action, arn) ? [] : [`${resource.address}: ${action} on ${arn}`];
    });
    expect(denied).to.deep.equal([]);
  });

  it('basic: runs nodejs22.x on arm64, 5 in reserve, and encrypts topic and queue with the key it creates', () => {
    const plan = runs.get('basic')!.plan;
    const fn = ofType(plan, 'aws_lambda_function')[0]!.after;

    expect(fn).to.include({
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      function_name: 'sg-sentry',
      reserved_concurrent_executions: 5,
    });
    expect(fn.architectures).to.deep.equal(['arm64']);
    expect(ofType(plan, 'aws_kms_alias')[0]!.after.name).to.equal('alias/sg-sentry');
    expect(ofType(plan, 'aws_kms_key')[0]!.after.enable_key_rotation).to.equal(true);
    expect(ofType(plan, 'aws_sns_topic')[0]!.after.kms_master_key_id).to.equal('alias/sg-sentry');
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.kms_master_key_id).to.equal('alias/sg-sentry');
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.sqs_managed_sse_enabled).not.to.equal(true);
    expect(ofType(plan, 'aws_cloudwatch_log_group')[0]!.afterUnknown.kms_key_id).to.equal(true);
    expect(ofType(plan, 'aws_cloudwatch_event_rule').map((r) => r.after.schedule_expression ?? null)).to.have.members([
      'rate(1 hour)',
      null,
    ]);
  });

  it('custom-policy: report mode drops the revoke permission; Slack adds exactly its two statements', () => {
    const plan = runs.get('custom-policy')!.plan;

    expect(creates(plan)).to.have.lengthOf(25);
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry': [...BASE_STATEMENTS, ...MODULE_KEY_STATEMENT, ...SLACK_STATEMENTS].sort(),
    });
    const slack = plannedPolicies(plan, 'aws_iam_role_policy')['module.sg_sentry']!.Statement.filter((s) =>
      SLACK_STATEMENTS.includes(s.Sid),
    );
    expect(slack.map((s) => s.Action)).to.deep.equal(['ssm:GetParameter', 'kms:Decrypt']);
    expect(slack[0]!.Resource).to.equal('arn:aws:ssm:eu-west-1:111122223333:parameter/sg-sentry/slack-webhook-url');
  });

  it('custom-policy: passes the schedule, architecture and log retention through', () => {
    const plan = runs.get('custom-policy')!.plan;
    const fn = ofType(plan, 'aws_lambda_function')[0]!.after;

    expect(fn.architectures).to.deep.equal(['x86_64']);
    expect(ofType(plan, 'aws_cloudwatch_event_rule').map((r) => r.after.schedule_expression ?? null)).to.include('cron(0 6 * * ? *)');
    expect(ofType(plan, 'aws_cloudwatch_log_group')[0]!.after.retention_in_days).to.equal(30);
  });

  it('existing-topic: creates no topic and no sweep, and encrypts with the given key', () => {
    const plan = runs.get('existing-topic')!.plan;
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    expect(creates(plan)).to.have.lengthOf(17);
    expect(ofType(plan, 'aws_sns_topic')).to.deep.equal([]);
    expect(ofType(plan, 'aws_sns_topic_policy')).to.deep.equal([]);
    expect(ofType(plan, 'aws_kms_key')).to.deep.equal([]);
    expect(ofType(plan, 'aws_cloudwatch_event_rule')).to.have.lengthOf(1);
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.kms_master_key_id).to.equal(keyArn);
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.sqs_managed_sse_enabled).not.to.equal(true);
    expect(ofType(plan, 'aws_cloudwatch_log_group')[0]!.after.kms_key_id).to.equal(keyArn);
    expect(ofType(plan, 'aws_dynamodb_table')[0]!.after.server_side_encryption).to.deep.equal([{ enabled: true, kms_key_arn: keyArn }]);
    expect(ofType(plan, 'aws_cloudwatch_metric_alarm').map((r) => r.after.alarm_actions)).to.deep.equal(
      Array.from({ length: 4 }, () => ['arn:aws:sns:eu-west-1:111122223333:security-alerts']),
    );
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry': [
        ...BASE_STATEMENTS,
        'RemoveOffendingPrefixListEntries',
        'RevokeSecurityGroupRules',
        'UseKeyOfStateTable',
        'UseKeyOfTopicAndQueue',
      ].sort(),
    });
  });

  it('multi-instance: count = 2 plans two instances whose AWS names never collide, each with its own permissions', () => {
    const plan = runs.get('multi-instance')!.plan;
    const managed = creates(plan);
    const names = managed.flatMap((r) => {
      const attribute = IDENTIFYING_NAME[r.type];
      return attribute ? [`${r.type} ${String(r.after[attribute])}`] : [];
    });
    const permissions = ofType(plan, 'aws_lambda_permission').map((r) => `${r.after.function_name} ${r.after.statement_id}`);

    expect(managed).to.have.lengthOf(50);
    expect(ofType(plan, 'aws_lambda_function').map((r) => r.after.function_name)).to.deep.equal([
      'sg-sentry-production',
      'sg-sentry-audit',
    ]);
    expect(names).to.have.lengthOf(2 * 15);
    expect(new Set(names).size, names.join('\n')).to.equal(names.length);
    expect(new Set(permissions).size).to.equal(permissions.length);
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry[0]': [
        ...BASE_STATEMENTS,
        ...MODULE_KEY_STATEMENT,
        'AuthorizeRestrictedReplacementRules',
        'RemoveOffendingPrefixListEntries',
        'RevokeSecurityGroupRules',
      ].sort(),
      'module.sg_sentry[1]': [...BASE_STATEMENTS, ...MODULE_KEY_STATEMENT].sort(),
    });
  });

  it('organization: plans the central bus open to the organization only, the sweep queue and its consumer', () => {
    const plan = runs.get('organization')!.plan;
    const busPolicy = plannedPolicies(plan, 'aws_cloudwatch_event_bus_policy')['module.sg_sentry']!;
    const consumer = ofType(plan, 'aws_lambda_event_source_mapping')[0]!.after;
    const fn = ofType(plan, 'aws_lambda_function')[0]!.after;

    expect(creates(plan)).to.have.lengthOf(ORGANIZATION_CREATES);
    expect(ofType(plan, 'aws_cloudwatch_event_bus').map((r) => r.after.name)).to.deep.equal(['sg-sentry']);
    expect(busPolicy.Statement).to.deep.equal([
      {
        Sid: 'OrganizationMembersPutEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry',
        Principal: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    ]);
    expect(
      ofType(plan, 'aws_cloudwatch_event_target')
        .map((r) => r.after.event_bus_name)
        .sort(),
    ).to.deep.equal(['default', 'default', 'sg-sentry']);
    expect(consumer).to.include({ batch_size: 10 });
    expect(consumer.function_response_types).to.deep.equal(['ReportBatchItemFailures']);
    expect(
      ofType(plan, 'aws_sqs_queue')
        .map((r) => r.after.name)
        .sort(),
    ).to.deep.equal(['sg-sentry-dlq', 'sg-sentry-sweep', 'sg-sentry-sweep-dlq']);
    expect(fn.environment).to.have.nested.property('[0].variables').that.includes({
      SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member',
      SENTRY_SWEEP_ACCOUNTS: '["organization"]',
      SENTRY_SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sg-sentry-sweep',
    });
    expect(statementSids(plan)['module.sg_sentry']).to.include.members([
      'AssumeMemberRoles',
      'ConsumeSweepQueue',
      'DispatchSweepTargets',
      'ListOrganizationAccounts',
      'RemoveUnapprovedExceptionTags',
    ]);
  });

  it('organization: limits the EC2 writes to the home region, member_regions and sweep_regions', () => {
    const policy = plannedPolicies(runs.get('organization')!.plan, 'aws_iam_role_policy')['module.sg_sentry']!;
    const revoke = policy.Statement.find((st) => st.Sid === 'RevokeSecurityGroupRules')!;

    expect(revoke.Condition).to.deep.equal({ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1', 'us-east-1'] } });
  });

  it('organization: plans two service-managed StackSets, roles in one region and forwarders in each member region', () => {
    const plan = runs.get('organization')!.plan;
    const stackSets = ofType(plan, 'aws_cloudformation_stack_set');
    const forwarders = ofType(plan, 'aws_cloudformation_stack_set_instance').filter((r) => r.name === 'member_forwarders_instance');
    const roles = stackSets.find((r) => r.name === 'member_roles')!;

    expect(stackSets.map((r) => r.after.name).sort()).to.deep.equal(['sg-sentry-member-forwarders', 'sg-sentry-member-roles']);
    for (const stackSet of stackSets) {
      expect(stackSet.after).to.include({ permission_model: 'SERVICE_MANAGED', call_as: 'DELEGATED_ADMIN' });
      expect(stackSet.after.auto_deployment).to.deep.equal([{ enabled: true, retain_stacks_on_account_removal: false }]);
    }
    expect(roles.after.parameters).to.deep.equal({
      CentralEventBusArn: 'arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry',
      CentralFunctionRoleArn: 'arn:aws:iam::111122223333:role/sg-sentry-eu-west-1',
      MemberRoleName: 'sg-sentry-member',
      WriteRegions: 'eu-west-1,eu-central-1,us-east-1',
      Enforce: 'true',
      Restrict: 'false',
      InspectPrefixLists: 'true',
      SecurityHub: 'false',
      RemoveExceptionTagKey: 'sg-sentry:exempt-until',
    });
    expect(
      ofType(plan, 'aws_cloudformation_stack_set_instance')
        .filter((r) => r.name === 'member_roles_instance')
        .map((r) => r.after.region),
    ).to.deep.equal(['eu-west-1']);
    expect(forwarders.map((r) => [r.after.region, r.after.deployment_targets])).to.deep.equal(
      ['eu-central-1', 'eu-west-1', 'us-east-1'].map((region) => [
        region,
        [
          {
            organizational_unit_ids: ['ou-ab12-11111111', 'ou-ab12-22222222'],
            accounts_url: null,
            ...(region === 'eu-west-1'
              ? { account_filter_type: 'DIFFERENCE', accounts: ['111122223333'] }
              : { account_filter_type: null, accounts: null }),
          },
        ],
      ]),
    );
  });

  it("member-account: plans the roles once, DeleteTags for the central policy's exception tag, and a forwarder to the central bus in each of the two regions", () => {
    const plan = runs.get('member-account')!.plan;
    const policies = ofType(plan, 'aws_iam_role_policy').map((r) => JSON.parse(String(r.after.policy)) as PolicyDocumentJson);

    expect(creates(plan)).to.have.lengthOf(8);
    expect(ofType(plan, 'aws_iam_role').map((r) => `${r.address} ${String(r.after.name)}`)).to.deep.equal([
      'module.sg_sentry_member_eu_west_1.aws_iam_role.forwarder_role[0] sg-sentry-member-forwarder',
      'module.sg_sentry_member_eu_west_1.aws_iam_role.member_role[0] sg-sentry-member',
    ]);
    expect(ofType(plan, 'aws_cloudwatch_event_target').map((r) => [r.after.arn, r.after.role_arn])).to.deep.equal([
      ['arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry', 'arn:aws:iam::111122223333:role/sg-sentry-member-forwarder'],
      ['arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry', 'arn:aws:iam::111122223333:role/sg-sentry-member-forwarder'],
    ]);
    expect(policies.map((p) => p.Statement.map((st) => st.Sid).sort())).to.have.deep.members([
      [
        'ReadManagedPrefixLists',
        'ReadSecurityGroups',
        'RemoveOffendingPrefixListEntries',
        'RemoveUnapprovedExceptionTags',
        'RevokeSecurityGroupRules',
      ],
      ['ForwardToCentralBus'],
    ]);
    const removal = policies.flatMap((p) => p.Statement).find((st) => st.Sid === 'RemoveUnapprovedExceptionTags');
    expect(removal?.Condition).to.deep.equal({
      'ForAllValues:StringEquals': { 'aws:TagKeys': 'sg-sentry:exempt-until' },
      Null: { 'aws:TagKeys': 'false' },
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
    });
  });

  it("member-account: trusts the role and forwards to the bus that the organization example's central module creates", () => {
    // Prepare: what the central module hands the member pieces (its lambda_role_arn and event_bus_arn)
    const central = ofType(runs.get('organization')!.plan, 'aws_cloudformation_stack_set').find((r) => r.name === 'member_roles')!;
    const { CentralFunctionRoleArn, CentralEventBusArn } = central.after.parameters as Record<string, string>;

    // Act
    const plan = runs.get('member-account')!.plan;
    const memberRole = ofType(plan, 'aws_iam_role').find((r) => r.name === 'member_role')!;
    const trust = JSON.parse(String(memberRole.after.assume_role_policy)) as PolicyDocumentJson;

    // Assess
    expect(trust.Statement.map((st) => st.Principal)).to.deep.equal([{ AWS: CentralFunctionRoleArn }]);
    expect(ofType(plan, 'aws_cloudwatch_event_target').map((r) => r.after.arn)).to.deep.equal([CentralEventBusArn, CentralEventBusArn]);
  });

  it('examples/cdktf: the construct with plain values plans as a cdktf stack', () => {
    expect(creates(cdktfExample)).to.have.lengthOf(25);
    expect(statementSids(cdktfExample)).to.deep.equal({
      '': [...BASE_STATEMENTS, ...MODULE_KEY_STATEMENT, ...SLACK_STATEMENTS].sort(),
    });
  });

  it('plans when the key, topic and Slack parameter are only known at apply', () => {
    const managed = creates(unknownAtPlan);

    expect(managed.filter((r) => r.address.startsWith('module.'))).to.have.lengthOf(21);
    expect(managed).to.have.lengthOf(24);
  });

  it('rejects invalid inputs, and a policy with an unknown key, a bad mode, CIDR or port, at plan time with a message naming each', () => {
    // Terraform wraps long messages; compare with whitespace collapsed.
    const output = (invalidInputs.stderr + invalidInputs.stdout).replace(/\s+/g, ' ');

    expect(invalidInputs.code).not.to.equal(0);
    for (const message of [
      'policy must be null or a JSON object',
      'policy must be at most 3072 bytes once minified',
      'Every notification_emails entry must be an email address.',
      'lambda_runtime must be one of nodejs22.x, nodejs24.x.',
      'lambda_architecture must be one of arm64, x86_64.',
      'name must be 1-48 letters, digits, "-" or "_".',
      'The policy has 1 problem(s): mdoe: unknown key',
      'The policy has 1 problem(s): mode: expected "enforce" or "report", got "enforced"',
      'The policy has 1 problem(s): ingress.allow[0].cidr: "10.0.0.300/8" is not an IPv4 or IPv6 CIDR',
      'The policy has 1 problem(s): ingress.allow[0].ports[1]: port 70000 is outside 0-65535',
    ]) {
      expect(output, message).to.contain(message);
    }
    // "policy_not_json" and "policy_not_an_object" both fail the JSON object rule.
    expect(output.match(/policy must be null or a JSON object/g)).to.have.lengthOf(2);
  });

  it('rejects sns_topic_arn without create_sns_topic = false, and the reverse, at plan time', () => {
    const output = (invalidTopicChoice.stderr + invalidTopicChoice.stdout).replace(/\s+/g, ' ');

    expect(invalidTopicChoice.code).not.to.equal(0);
    expect(output.match(/Resource precondition failed/g)).to.have.lengthOf(2);
    expect(output.match(/Set sns_topic_arn when create_sns_topic = false, and only then\./g)).to.have.lengthOf(2);
  });
});
