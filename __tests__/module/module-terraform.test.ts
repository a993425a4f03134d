/**
 * Runs terraform itself, offline, against the synthesized module: every example under
 * examples/terraform must be fmt-clean, init from the local plugin mirror, validate, and plan
 * with placeholder credentials. All directories run in parallel in one before hook.
 */
import { expect } from 'chai';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  PlannedResource,
  TerraformResult,
  expectSuccess,
  initOffline,
  planOffline,
  terraform,
} from './support/terraform';
import { synthesizeExample } from '../../examples/cdktf/main';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples', 'terraform')).sort();
const FIXTURES = join(__dirname, 'fixtures', 'terraform');

const BASE_STATEMENTS = ['PublishNotifications', 'ReadSecurityGroups', 'SendFailedEventsToDeadLetterQueue', 'WriteOwnLogs'];
const SLACK_STATEMENTS = ['DecryptSlackWebhookParameter', 'ReadSlackWebhookParameter'];

/** The attribute AWS identifies each named resource by, within an account and region. */
const IDENTIFYING_NAME: Record<string, string> = {
  aws_cloudwatch_event_rule: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_iam_role: 'name',
  aws_lambda_function: 'function_name',
  aws_sns_topic: 'name',
  aws_sqs_queue: 'name',
};

const CDKTF_PROVIDER_RANGE = `
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
`;

interface ExampleRun {
  readonly fmt: TerraformResult;
  readonly validate: TerraformResult;
  readonly plan: PlannedResource[];
}

async function runExample(dir: string): Promise<ExampleRun> {
  const fmt = await terraform(dir, ['fmt', '-check', '-diff', '-no-color']);
  await initOffline(dir);
  const validate = await terraform(dir, ['validate', '-no-color']);
  return { fmt, validate, plan: await planOffline(dir) };
}

const creates = (plan: PlannedResource[]) => plan.filter((r) => r.mode === 'managed' && r.actions.includes('create'));
const ofType = (plan: PlannedResource[], type: string) => plan.filter((r) => r.type === type);

/** Sids of the role policy document of each module instance, by module address ("" at the root). */
function statementSids(plan: PlannedResource[]): Record<string, string[]> {
  // cdktf names it sg-sentry_role_policy_document_<hash>; the module, role_policy_document.
  const documents = plan.filter((r) => r.type === 'aws_iam_policy_document' && r.name.includes('role_policy_document'));
  return Object.fromEntries(
    documents.map((d) => [
      d.address.replace(/(^|\.)data\..*$/, ''),
      ((d.after.statement ?? []) as Array<{ sid: string }>).map((s) => s.sid).sort(),
    ]),
  );
}

describe('terraform module with terraform (offline plan of every example)', function () {
  this.timeout(300_000);
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

    // Act: everything at once; each directory has its own data dir.
    await Promise.all([
      ...EXAMPLES.map(async (name) => runs.set(name, await runExample(join(root, 'examples', 'terraform', name)))),
      (async () => {
        await initOffline(fixture('unknown-at-plan'));
        unknownAtPlan = await planOffline(fixture('unknown-at-plan'));
      })(),
      (async () => {
        await initOffline(fixture('invalid-inputs'));
        invalidInputs = await terraform(fixture('invalid-inputs'), ['plan', '-refresh=false', '-no-color']);
      })(),
      (async () => {
        synthesizeExample(join(root, 'cdktf.out'));
        const stackDir = join(root, 'cdktf.out', 'stacks', 'security');
        // The provider bindings pin the AWS provider they were generated from (6.x); the
        // mirror holds 5.100, which the construct supports too.
        await initOffline(stackDir, { localBackend: true, override: CDKTF_PROVIDER_RANGE });
        cdktfExample = await planOffline(stackDir);
      })(),
      (async () => {
        await initOffline(fixture('invalid-topic-choice'));
        invalidTopicChoice = await terraform(fixture('invalid-topic-choice'), ['plan', '-refresh=false', '-no-color']);
      })(),
    ]);
  });

  it('has the four examples the issue asks for', () => {
    expect(EXAMPLES).to.include.members(['basic', 'custom-policy', 'existing-topic', 'multi-instance']);
  });

  for (const name of EXAMPLES) {
    it(`${name}: is terraform fmt clean and validates`, () => {
      const run = runs.get(name)!;

      expect(run.fmt.code, run.fmt.stdout).to.equal(0);
      expectSuccess(run.validate, `terraform validate of ${name}`);
    });
  }

  it('basic: plans the 18 resources of one instance with two email subscriptions', () => {
    const plan = runs.get('basic')!.plan;

    expect(creates(plan)).to.have.lengthOf(18);
    expect(ofType(plan, 'aws_sns_topic_subscription').map((r) => r.after.endpoint).sort()).to.deep.equal([
      'platform-oncall@example.com',
      'secops@example.com',
    ]);
    expect(statementSids(plan)).to.deep.equal({ 'module.sg_sentry': [...BASE_STATEMENTS, 'RevokeSecurityGroupRules'].sort() });
  });

  it('basic: runs nodejs22.x on arm64 with the AWS-managed SNS key and an SQS-encrypted queue', () => {
    const plan = runs.get('basic')!.plan;
    const fn = ofType(plan, 'aws_lambda_function')[0]!.after;

    expect(fn).to.include({ runtime: 'nodejs22.x', handler: 'index.handler', function_name: 'sg-sentry' });
    expect(fn.architectures).to.deep.equal(['arm64']);
    expect(ofType(plan, 'aws_sns_topic')[0]!.after.kms_master_key_id).to.equal('alias/aws/sns');
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after).to.include({ sqs_managed_sse_enabled: true, kms_master_key_id: null });
    expect(ofType(plan, 'aws_cloudwatch_event_rule').map((r) => r.after.schedule_expression ?? null)).to.have.members([
      'rate(1 hour)',
      null,
    ]);
  });

  it('custom-policy: report mode drops the revoke permission; Slack adds exactly its two statements', () => {
    const plan = runs.get('custom-policy')!.plan;

    expect(creates(plan)).to.have.lengthOf(17);
    expect(statementSids(plan)).to.deep.equal({ 'module.sg_sentry': [...BASE_STATEMENTS, ...SLACK_STATEMENTS].sort() });
    const slack = (ofType(plan, 'aws_iam_policy_document').find((r) => r.name === 'role_policy_document')!.after.statement as Array<{
      sid: string;
      actions: string[];
    }>).filter((s) => SLACK_STATEMENTS.includes(s.sid));
    expect(slack.map((s) => s.actions)).to.deep.equal([['ssm:GetParameter'], ['kms:Decrypt']]);
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

    expect(creates(plan)).to.have.lengthOf(12);
    expect(ofType(plan, 'aws_sns_topic')).to.deep.equal([]);
    expect(ofType(plan, 'aws_cloudwatch_event_rule')).to.have.lengthOf(1);
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.kms_master_key_id).to.equal(keyArn);
    expect(ofType(plan, 'aws_sqs_queue')[0]!.after.sqs_managed_sse_enabled).not.to.equal(true);
    expect(ofType(plan, 'aws_cloudwatch_log_group')[0]!.after.kms_key_id).to.equal(keyArn);
    expect(ofType(plan, 'aws_cloudwatch_metric_alarm').map((r) => r.after.alarm_actions)).to.deep.equal([
      ['arn:aws:sns:eu-west-1:111122223333:security-alerts'],
      ['arn:aws:sns:eu-west-1:111122223333:security-alerts'],
    ]);
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry': [...BASE_STATEMENTS, 'RevokeSecurityGroupRules', 'UseKeyOfTopicAndQueue'].sort(),
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

    expect(managed).to.have.lengthOf(34);
    expect(ofType(plan, 'aws_lambda_function').map((r) => r.after.function_name)).to.deep.equal([
      'sg-sentry-production',
      'sg-sentry-audit',
    ]);
    expect(names).to.have.lengthOf(2 * 9);
    expect(new Set(names).size, names.join('\n')).to.equal(names.length);
    expect(new Set(permissions).size).to.equal(permissions.length);
    expect(statementSids(plan)).to.deep.equal({
      'module.sg_sentry[0]': [...BASE_STATEMENTS, 'AuthorizeRestrictedReplacementRules', 'RevokeSecurityGroupRules'].sort(),
      'module.sg_sentry[1]': BASE_STATEMENTS,
    });
  });

  it('examples/cdktf: the construct with plain values plans as a cdktf stack', () => {
    expect(creates(cdktfExample)).to.have.lengthOf(17);
    expect(statementSids(cdktfExample)).to.deep.equal({
      '': [...BASE_STATEMENTS, ...SLACK_STATEMENTS].sort(),
    });
  });

  it('plans when the key, topic and Slack parameter are only known at apply', () => {
    const managed = creates(unknownAtPlan);

    expect(managed.filter((r) => r.address.startsWith('module.'))).to.have.lengthOf(16);
    expect(managed).to.have.lengthOf(19);
  });

  it('rejects invalid inputs at plan time with a message for each rule', () => {
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
