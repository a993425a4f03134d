/**
 * The synthesized Terraform module applied against the emulator, in an account of its own: the
 * same name in two regions, `count = 2` with distinct names, and the IAM guardrail inputs
 * (permissions boundary, role path, an existing role). What IAM, Lambda, SNS and EventBridge
 * hold afterwards is read back through the SDK; then `sg-sentry smoke-test` checks the result.
 *
 * Every resource type of the module applies against moto 5.2. The smoke test runs with
 * --no-invoke: moto runs Lambda functions only in Docker, which the emulator here has not.
 */
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreatePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestAccount } from './support/account';
import { integrationSuite } from './support/suite';
import { applyOnEmulator, emulatorProvider } from './support/terraform-provider';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'sg-sentry.js');

integrationSuite('the Terraform module applied to the emulator', (emulator) => {
  let account: TestAccount;
  let existingRoleArn: string;
  let boundaryArn: string;
  const regional = (region: string) => ({ ...account.config, region });

  before(async function () {
    // terraform init, plan and apply of four instances: minutes on a loaded machine.
    this.timeout(900_000);
    // Prepare: an account of its own, a role and a boundary that exist before the module.
    account = await emulator.freshAccount({ region: 'eu-west-1' });
    const iam = account.client(IAMClient);
    boundaryArn = (
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: 'workload-boundary',
          Path: '/platform/',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
        }),
      )
    ).Policy!.Arn!;
    existingRoleArn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'sg-sentry-audit-b',
          Path: '/platform/',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      )
    ).Role!.Arn!;

    // Act
    await applyOnEmulator(
      'apply',
      account,
      `${emulatorProvider(account, 'eu-west-1')}
${emulatorProvider(account, 'us-east-1', 'us_east_1')}
# The same name in two regions; the first with a role path and a permissions boundary.
module "eu_west_1" {
  source                        = "../../terraform/sg-sentry"
  name                          = "sg-sentry"
  role_path                     = "/security/"
  role_permissions_boundary_arn = "${boundaryArn}"
  notification_emails           = ["secops@example.com"]
}

module "us_east_1" {
  source    = "../../terraform/sg-sentry"
  providers = { aws = aws.us_east_1 }
  name      = "sg-sentry"
}

# count = 2 with distinct names; the second runs with a role the module does not create.
module "audit" {
  count             = 2
  source            = "../../terraform/sg-sentry"
  name              = ["sg-sentry-audit-a", "sg-sentry-audit-b"][count.index]
  policy            = jsonencode({ mode = "report" })
  existing_role_arn = count.index == 1 ? "${existingRoleArn}" : null
  sweep_schedule    = null
}
`,
    );
  });

  it('creates one role per region for the same name, the first under its path with its boundary', async () => {
    // Act
    const iam = account.client(IAMClient);
    const eu = (await iam.send(new GetRoleCommand({ RoleName: 'sg-sentry-eu-west-1' }))).Role!;
    const us = (await iam.send(new GetRoleCommand({ RoleName: 'sg-sentry-us-east-1' }))).Role!;

    // Assess
    expect(eu).to.include({ Path: '/security/', Arn: `arn:aws:iam::${account.accountId}:role/security/sg-sentry-eu-west-1` });
    expect(eu.PermissionsBoundary?.PermissionsBoundaryArn).to.equal(boundaryArn);
    expect(us).to.include({ Path: '/' });
    expect(us.PermissionsBoundary).to.equal(undefined);
  });

  it('deploys the function and the topic of the same name in each region, each on its own role', async () => {
    // Act
    const functions = await Promise.all(
      ['eu-west-1', 'us-east-1'].map((region) =>
        new LambdaClient(regional(region)).send(new GetFunctionConfigurationCommand({ FunctionName: 'sg-sentry' })),
      ),
    );
    const topics = await Promise.all(
      ['eu-west-1', 'us-east-1'].map((region) =>
        new SNSClient(regional(region)).send(
          new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:${region}:${account.accountId}:sg-sentry` }),
        ),
      ),
    );

    // Assess
    expect(functions.map((f) => f.Role)).to.deep.equal([
      `arn:aws:iam::${account.accountId}:role/security/sg-sentry-eu-west-1`,
      `arn:aws:iam::${account.accountId}:role/sg-sentry-us-east-1`,
    ]);
    expect(functions.map((f) => f.Environment?.Variables?.SENTRY_SELF_ROLE_ARN)).to.deep.equal(functions.map((f) => f.Role));
    expect(functions.map((f) => f.Environment?.Variables?.SENTRY_TOPIC_ARN)).to.deep.equal([
      `arn:aws:sns:eu-west-1:${account.accountId}:sg-sentry`,
      `arn:aws:sns:us-east-1:${account.accountId}:sg-sentry`,
    ]);
    for (const topic of topics)
      expect(JSON.parse(topic.Attributes!.Policy!).Statement.map((s: { Sid: string }) => s.Sid)).to.include('DenyPublishWithoutTls');
  });

  it('gives the two counted instances their own functions and rules, the second on the existing role', async () => {
    // Act
    const lambda = new LambdaClient(regional('eu-west-1'));
    const [a, b] = await Promise.all(
      ['sg-sentry-audit-a', 'sg-sentry-audit-b'].map((name) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))),
    );
    const events = new EventBridgeClient(regional('eu-west-1'));
    const targets = await Promise.all(
      ['sg-sentry-audit-a-events', 'sg-sentry-audit-b-events'].map((rule) => events.send(new ListTargetsByRuleCommand({ Rule: rule }))),
    );
    const roles = (await account.client(IAMClient).send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName).sort();

    // Assess
    expect(a!.Role).to.equal(`arn:aws:iam::${account.accountId}:role/sg-sentry-audit-a-eu-west-1`);
    expect(b!.Role).to.equal(existingRoleArn);
    expect(b!.Environment?.Variables?.SENTRY_SELF_ROLE_ARN).to.equal(existingRoleArn);
    expect(targets.map((t) => t.Targets?.map((x) => x.Arn))).to.deep.equal([[a!.FunctionArn], [b!.FunctionArn]]);
    expect(roles).to.deep.equal(['sg-sentry-audit-a-eu-west-1', 'sg-sentry-audit-b', 'sg-sentry-eu-west-1', 'sg-sentry-us-east-1']);
  });

  it('passes the smoke test (rule, sweep, function, topic) in each region', async function () {
    this.timeout(120_000);
    // Act
    const results = await Promise.all(
      ['eu-west-1', 'us-east-1'].map((region) =>
        run(process.execPath, [CLI, 'smoke-test', '--name', 'sg-sentry', '--region', region, '--no-invoke', '--json'], {
          env: {
            PATH: process.env.PATH,
            AWS_ENDPOINT_URL: account.endpoint,
            AWS_ACCESS_KEY_ID: account.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: account.credentials.secretAccessKey,
            AWS_SESSION_TOKEN: account.credentials.sessionToken,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        }),
      ),
    );

    // Assess
    for (const result of results) {
      const report = JSON.parse(result.stdout) as { checks: Array<{ check: string; status: string; detail: string }>; exit_code: number };
      const status = Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
      expect(status, result.stdout).to.deep.include({ rule: 'ok', function: 'ok', invoke: 'skipped' });
      expect(['ok', 'warn']).to.include(status.topic);
      expect(report.exit_code).to.equal(0);
    }
  });
});
