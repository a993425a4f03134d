/**
 * `sg-sentry smoke-test` over mocked EventBridge, Lambda and SNS clients: a healthy deployment
 * (as the module creates it) passes, and each test breaks one thing.
 */
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ResourceNotFoundException as FunctionNotFound,
} from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { ENV } from '../../function/core/env-names';
import { WATCHED_EVENT_NAMES } from '../../function/core/event/watched-events';
import { securityGroupChangeEventPattern } from '../../modules/event-pattern';
import { CliError, EXIT } from '../../cli/errors';
import type { Io } from '../../cli/io';
import { runSmokeTest, type SmokeTestClients } from '../../cli/smoke-test';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:sg-sentry`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/sg-sentry-${REGION}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:sg-sentry`;
const NOW = new Date('2026-12-01T10:00:00Z');

const clients: SmokeTestClients = {
  events: new EventBridgeClient({ region: REGION }),
  lambda: new LambdaClient({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
};
let events: AwsClientStub<EventBridgeClient>;
let lambda: AwsClientStub<LambdaClient>;
let sns: AwsClientStub<SNSClient>;

/** A payload as the client hands it over (the SDK wraps the bytes; the command reads only the bytes). */
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

/** What the module deploys, as the three APIs describe it. */
function healthyDeployment(): void {
  events
    .on(DescribeRuleCommand, { Name: 'sg-sentry-events' })
    .resolves({ Name: 'sg-sentry-events', State: 'ENABLED', EventPattern: JSON.stringify(securityGroupChangeEventPattern()) });
  events
    .on(DescribeRuleCommand, { Name: 'sg-sentry-sweep' })
    .resolves({ Name: 'sg-sentry-sweep', State: 'ENABLED', ScheduleExpression: 'rate(1 hour)' });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'sg-sentry', Arn: FUNCTION_ARN }] });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: 'sg-sentry',
    FunctionArn: FUNCTION_ARN,
    Role: ROLE_ARN,
    Runtime: 'nodejs22.x',
    State: 'Active',
    LastUpdateStatus: 'Successful',
    Environment: { Variables: { [ENV.topicArn]: TOPIC_ARN, [ENV.selfRoleArn]: ROLE_ARN } },
  });
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    Payload: encode({ status: 'ignored', event_id: 'x', reason: 'not a CloudTrail API call', findings: [] }),
  });
  sns.on(GetTopicAttributesCommand).resolves({
    Attributes: { TopicArn: TOPIC_ARN, SubscriptionsConfirmed: '2', SubscriptionsPending: '0', KmsMasterKeyId: 'alias/sg-sentry' },
  });
}

async function smokeTest(args: readonly string[] = ['--region', REGION]) {
  let stdout = '';
  const io: Io = { out: (t) => void (stdout += t), err: () => {}, env: {}, errIsTty: false, readStdin: () => Buffer.alloc(0) };
  const code = await runSmokeTest(
    args,
    io,
    () => clients,
    () => NOW,
  );
  return { code, stdout, lines: stdout.split('\n').filter(Boolean) };
}

const statusOf = (stdout: string, check: string) => new RegExp(`^(\\w+) +${check} `, 'm').exec(stdout)?.[1];

describe('sg-sentry smoke-test', () => {
  beforeEach(() => {
    events = mockClient(clients.events);
    lambda = mockClient(clients.lambda);
    sns = mockClient(clients.sns);
    healthyDeployment();
  });
  afterEach(() => {
    events.restore();
    lambda.restore();
    sns.restore();
  });

  it('passes a healthy deployment, invoking the function once with an event it ignores', async () => {
    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.ok);
    expect(run.lines.slice(0, 5).map((l) => l.split(/ +/).slice(0, 2).join(' '))).to.deep.equal([
      'ok rule',
      'ok sweep',
      'ok function',
      'ok topic',
      'ok invoke',
    ]);
    const invoke = lambda.commandCalls(InvokeCommand);
    expect(invoke).to.have.lengthOf(1);
    expect(invoke[0]!.args[0].input).to.include({ FunctionName: 'sg-sentry', InvocationType: 'RequestResponse' });
    const event = JSON.parse(new TextDecoder().decode(invoke[0]!.args[0].input.Payload as Uint8Array));
    expect(event).to.include({ source: 'sg-sentry.smoke-test', region: REGION, time: NOW.toISOString() });
    expect(run.lines.at(-1)).to.equal(`sg-sentry sg-sentry in ${REGION} passed the smoke test`);
  });

  it('fails when the function does not start (an invalid policy), quoting its error', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'PolicyValidationError', errorMessage: 'invalid sg-sentry policy (1 problem): mdoe: unknown key' }),
    });

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.violations);
    expect(run.stdout).to.match(
      /^fail +invoke +the function failed \(Unhandled\): PolicyValidationError: invalid sg-sentry policy \(1 problem\): mdoe: unknown key$/m,
    );
    expect(run.lines.at(-1)).to.contain('FAILED the smoke test');
  });

  it('fails when the event rule is disabled', async () => {
    // Prepare
    events
      .on(DescribeRuleCommand, { Name: 'sg-sentry-events' })
      .resolves({ Name: 'sg-sentry-events', State: 'DISABLED', EventPattern: JSON.stringify(securityGroupChangeEventPattern()) });

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.violations);
    expect(run.stdout).to.match(/^fail +rule +rule sg-sentry-events: state DISABLED$/m);
  });

  it("fails when the rule's pattern misses a call the function handles (deployed from an older module)", async () => {
    // Prepare
    const pattern = securityGroupChangeEventPattern();
    const [ruleCalls] = pattern.detail.$or;
    if (ruleCalls !== undefined) ruleCalls.eventName = ruleCalls.eventName.filter((n) => n !== WATCHED_EVENT_NAMES[0]);
    events
      .on(DescribeRuleCommand, { Name: 'sg-sentry-events' })
      .resolves({ Name: 'sg-sentry-events', State: 'ENABLED', EventPattern: JSON.stringify(pattern) });

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.violations);
    expect(run.stdout).to.contain(`its pattern misses ${WATCHED_EVENT_NAMES[0]}`);
  });

  it('fails when the rule targets something else than the function', async () => {
    // Prepare
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'other', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other` }] });

    // Act
    const run = await smokeTest();

    // Assess
    expect(statusOf(run.stdout, 'rule')).to.equal('fail');
    expect(run.stdout).to.contain(`it does not target ${FUNCTION_ARN}`);
  });

  it('fails for a missing function and skips the invocation', async () => {
    // Prepare
    lambda.on(GetFunctionConfigurationCommand).rejects(new FunctionNotFound({ message: 'Function not found', $metadata: {} }));

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.violations);
    expect(run.stdout).to.match(/^fail +function +function sg-sentry not found$/m);
    expect(statusOf(run.stdout, 'invoke')).to.equal('skipped');
    expect(lambda.commandCalls(InvokeCommand)).to.have.lengthOf(0);
  });

  it("fails when the function's own-role variable is not its role (its own calls would be judged)", async () => {
    // Prepare
    lambda.on(GetFunctionConfigurationCommand).resolves({
      FunctionName: 'sg-sentry',
      FunctionArn: FUNCTION_ARN,
      Role: ROLE_ARN,
      State: 'Active',
      Environment: { Variables: { [ENV.topicArn]: TOPIC_ARN, [ENV.selfRoleArn]: `arn:aws:iam::${ACCOUNT}:role/sg-sentry` } },
    });

    // Act
    const run = await smokeTest();

    // Assess
    expect(statusOf(run.stdout, 'function')).to.equal('fail');
    expect(run.stdout).to.contain(`is not its role ${ROLE_ARN}`);
  });

  it('warns, and passes, when nobody confirmed a subscription and the topic uses the AWS-managed key', async () => {
    // Prepare
    sns
      .on(GetTopicAttributesCommand)
      .resolves({ Attributes: { SubscriptionsConfirmed: '0', SubscriptionsPending: '1', KmsMasterKeyId: 'alias/aws/sns' } });

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.ok);
    expect(run.stdout).to.match(/^warn +topic +.*no confirmed subscription \(1 pending\).*CloudWatch cannot deliver the alarms/m);
  });

  it('warns when there is no sweep rule', async () => {
    // Prepare
    events
      .on(DescribeRuleCommand, { Name: 'sg-sentry-sweep' })
      .rejects(new ResourceNotFoundException({ message: 'Rule sg-sentry-sweep does not exist.', $metadata: {} }));

    // Act
    const run = await smokeTest();

    // Assess
    expect(run.code).to.equal(EXIT.ok);
    expect(statusOf(run.stdout, 'sweep')).to.equal('warn');
  });

  it('does not invoke with --no-invoke, and checks the instance named by --name', async () => {
    // Act
    const run = await smokeTest(['--region', REGION, '--name', 'sg-sentry', '--no-invoke', '--json']);

    // Assess
    const report = JSON.parse(run.stdout) as { checks: Array<{ check: string; status: string }>; exit_code: number };
    expect(report.checks.find((c) => c.check === 'invoke')?.status).to.equal('skipped');
    expect(report.exit_code).to.equal(EXIT.ok);
    expect(lambda.commandCalls(InvokeCommand)).to.have.lengthOf(0);
    expect(events.commandCalls(DescribeRuleCommand).map((c) => c.args[0].input.Name)).to.deep.equal([
      'sg-sentry-events',
      'sg-sentry-sweep',
    ]);
  });

  it('stops with exit 3 and a permission hint when a call is denied', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform: lambda:GetFunctionConfiguration'), {
      name: 'AccessDeniedException',
    });
    lambda.on(GetFunctionConfigurationCommand).rejects(denied);

    // Act
    const attempt = smokeTest();

    // Assess
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CliError);
    expect((error as CliError).exitCode).to.equal(EXIT.aws);
    expect((error as CliError).message)
      .to.contain('AccessDeniedException')
      .and.contain('lacks a permission');
  });

  it('asks for a region when none is given', async () => {
    // Act
    const error = await smokeTest([]).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).to.be.instanceOf(CliError);
    expect((error as CliError).message).to.contain('no region');
  });
});
