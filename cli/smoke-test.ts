/**
 * `sg-sentry smoke-test`: after a deploy, checks that the pieces of one instance are in place and
 * wired together, and that the function starts: the event rule, the function, its topic, and a
 * synchronous invocation with a harmless event the function loads its policy for and ignores.
 * It reads through the EventBridge, Lambda and SNS APIs and changes nothing.
 */
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { ENV } from '../function/core/env-names';
import { WATCHED_EVENT_NAMES } from '../function/core/event/watched-events';
import { parseCommandArgs } from './args';
import { CliError, EXIT } from './errors';
import type { Io } from './io';
import { messageOf } from '../function/core/errors';

export const SMOKE_TEST_HELP = `Usage: sg-sentry smoke-test [--name NAME] [--region R] [--no-invoke] [--json]

Checks a deployed sg-sentry instance, read-only:
  rule      the EventBridge rule <name>-events is enabled, matches every call the function
            handles, and targets the function
  sweep     the schedule rule <name>-sweep is enabled (a warning when there is none)
  function  the function <name> is active, its last update succeeded, and its environment
            names its topic and its own role
  topic     the topic exists; a warning when nobody has confirmed a subscription, or when it
            uses the AWS-managed key (then CloudWatch cannot deliver the alarms)
  invoke    the function, invoked synchronously with a harmless event (source
            sg-sentry.smoke-test), loads its policy and ignores the event: no EC2 call, no
            notification. A policy that does not load fails here.

Options:
  --name NAME   the module's name input (default sg-sentry)
  --region R    the instance's region. Default: AWS_REGION, else AWS_DEFAULT_REGION
  --no-invoke   skip the invocation (for callers without lambda:InvokeFunction)
  --json        print the checks as JSON on stdout
  --debug       print stack traces of unexpected errors
  -h, --help    show this help

Credentials come from the standard AWS SDK chain. Needs events:DescribeRule,
events:ListTargetsByRule, lambda:GetFunctionConfiguration, sns:GetTopicAttributes and, unless
--no-invoke, lambda:InvokeFunction on the function.

Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 bad usage, 3 an AWS
call failed (credentials, permissions, throttling).
`;

export interface SmokeTestClients {
  readonly events: EventBridgeClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
}

export function clientsForRegion(region: string): SmokeTestClients {
  return { events: new EventBridgeClient({ region }), lambda: new LambdaClient({ region }), sns: new SNSClient({ region }) };
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface SmokeCheck {
  readonly check: 'rule' | 'sweep' | 'function' | 'topic' | 'invoke';
  readonly status: CheckStatus;
  readonly detail: string;
}

/** What the function is invoked with: an EventBridge envelope it ignores (not a CloudTrail call). */
export function smokeTestEvent(region: string, now: Date): Record<string, unknown> {
  return {
    version: '0',
    id: `sg-sentry-smoke-test-${now.getTime()}`,
    'detail-type': 'sg-sentry smoke test',
    source: 'sg-sentry.smoke-test',
    account: '000000000000',
    time: now.toISOString(),
    region,
    resources: [],
    detail: {},
  };
}

/** An AWS error that says the named thing does not exist (a failed check, not a failed call). */
function isNotFound(error: unknown): boolean {
  return error instanceof Error && /NotFound/.test(error.name);
}

/** An AWS call failed for a reason the caller must fix (credentials, permissions, throttling). */
function awsFailure(what: string, error: unknown): CliError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = messageOf(error);
  const hint = /AccessDenied|Unauthorized/i.test(name)
    ? ' (the caller lacks a permission; see sg-sentry smoke-test --help)'
    : /Credential|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/i.test(name)
      ? ' (check your AWS credentials: environment, AWS_PROFILE, `aws sso login`)'
      : '';
  return new CliError(`smoke-test: ${what} failed: ${name}: ${message}${hint}`, EXIT.aws, { cause: error });
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw awsFailure(what, error);
  }
}

interface FunctionFacts {
  readonly arn?: string;
  readonly topicArn?: string;
}

async function checkFunction(c: SmokeTestClients, name: string): Promise<{ result: SmokeCheck; facts: FunctionFacts }> {
  const fn = await call(`lambda:GetFunctionConfiguration ${name}`, () =>
    c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
  );
  if (!fn) return { result: { check: 'function', status: 'fail', detail: `function ${name} not found` }, facts: {} };
  const variables = fn.Environment?.Variables ?? {};
  const facts = { arn: fn.FunctionArn, topicArn: variables[ENV.topicArn] };
  const problems = [
    fn.State !== undefined && fn.State !== 'Active' ? `state ${fn.State}${fn.StateReason ? ` (${fn.StateReason})` : ''}` : '',
    fn.LastUpdateStatus === 'Failed' ? `last update failed (${fn.LastUpdateStatusReason ?? 'no reason given'})` : '',
    variables[ENV.topicArn] ? '' : `${ENV.topicArn} is not set`,
    variables[ENV.selfRoleArn] === undefined
      ? `${ENV.selfRoleArn} is not set`
      : fn.Role !== undefined && variables[ENV.selfRoleArn] !== fn.Role
        ? `${ENV.selfRoleArn} ${variables[ENV.selfRoleArn]} is not its role ${fn.Role}, so its own calls are not recognised`
        : '',
  ].filter(Boolean);
  if (problems.length > 0)
    return { result: { check: 'function', status: 'fail', detail: `function ${name}: ${problems.join('; ')}` }, facts };
  return {
    result: {
      check: 'function',
      status: 'ok',
      detail: `function ${name}: ${fn.State ?? 'Active'}, ${fn.Runtime ?? 'runtime unknown'}, role ${fn.Role ?? '?'}`,
    },
    facts,
  };
}

/** The event names a pattern matches: `detail.eventName`, and that of each `detail.$or` branch. */
function patternEventNames(pattern: unknown): unknown[] {
  const detail = (pattern as { detail?: { eventName?: unknown; $or?: unknown } } | null)?.detail;
  const branches = [detail, ...(Array.isArray(detail?.$or) ? (detail.$or as { eventName?: unknown }[]) : [])];
  return branches.flatMap((branch) => (Array.isArray(branch?.eventName) ? (branch.eventName as unknown[]) : []));
}

async function checkRule(c: SmokeTestClients, ruleName: string, functionArn: string | undefined): Promise<SmokeCheck> {
  const rule = await call(`events:DescribeRule ${ruleName}`, () => c.events.send(new DescribeRuleCommand({ Name: ruleName })));
  if (!rule) return { check: 'rule', status: 'fail', detail: `rule ${ruleName} not found` };
  const problems: string[] = [];
  if (rule.State !== 'ENABLED') problems.push(`state ${rule.State ?? 'unknown'}`);
  let names: unknown[] = [];
  try {
    names = patternEventNames(JSON.parse(rule.EventPattern ?? '{}'));
  } catch {
    names = [];
  }
  const missing = WATCHED_EVENT_NAMES.filter((n) => !names.includes(n));
  if (missing.length > 0) problems.push(`its pattern misses ${missing.join(', ')} (deployed from an older module? apply the current one)`);
  const targets = await call(`events:ListTargetsByRule ${ruleName}`, () => c.events.send(new ListTargetsByRuleCommand({ Rule: ruleName })));
  if (functionArn !== undefined && !(targets?.Targets ?? []).some((t) => t.Arn === functionArn))
    problems.push(`it does not target ${functionArn}`);
  if (problems.length > 0) return { check: 'rule', status: 'fail', detail: `rule ${ruleName}: ${problems.join('; ')}` };
  return {
    check: 'rule',
    status: 'ok',
    detail: `rule ${ruleName}: enabled, matches ${WATCHED_EVENT_NAMES.length} calls, targets the function`,
  };
}

async function checkSweep(c: SmokeTestClients, ruleName: string): Promise<SmokeCheck> {
  const rule = await call(`events:DescribeRule ${ruleName}`, () => c.events.send(new DescribeRuleCommand({ Name: ruleName })));
  if (!rule) return { check: 'sweep', status: 'warn', detail: `no rule ${ruleName}: events CloudTrail never delivers are never caught` };
  if (rule.State !== 'ENABLED') return { check: 'sweep', status: 'warn', detail: `rule ${ruleName} is ${rule.State ?? 'not enabled'}` };
  return { check: 'sweep', status: 'ok', detail: `rule ${ruleName}: enabled, ${rule.ScheduleExpression ?? 'no schedule'}` };
}

async function checkTopic(c: SmokeTestClients, topicArn: string | undefined): Promise<SmokeCheck> {
  if (topicArn === undefined) return { check: 'topic', status: 'fail', detail: `the function names no topic (${ENV.topicArn})` };
  const topic = await call(`sns:GetTopicAttributes ${topicArn}`, () => c.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })));
  if (!topic) return { check: 'topic', status: 'fail', detail: `topic ${topicArn} not found` };
  const a = topic.Attributes ?? {};
  const confirmed = Number(a.SubscriptionsConfirmed ?? '0');
  const warnings = [
    confirmed === 0 ? `no confirmed subscription (${a.SubscriptionsPending ?? '0'} pending): nobody receives the notifications` : '',
    a.KmsMasterKeyId === 'alias/aws/sns' ? 'encrypted with alias/aws/sns: CloudWatch cannot deliver the alarms to it' : '',
  ].filter(Boolean);
  if (warnings.length > 0) return { check: 'topic', status: 'warn', detail: `topic ${topicArn}: ${warnings.join('; ')}` };
  return { check: 'topic', status: 'ok', detail: `topic ${topicArn}: ${confirmed} confirmed subscription(s)` };
}

async function checkInvoke(c: SmokeTestClients, name: string, region: string, now: Date): Promise<SmokeCheck> {
  const payload = JSON.stringify(smokeTestEvent(region, now));
  let answer;
  try {
    answer = await c.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(payload) }),
    );
  } catch (error) {
    if (isNotFound(error)) return { check: 'invoke', status: 'fail', detail: `function ${name} not found` };
    throw awsFailure(`lambda:InvokeFunction ${name}`, error);
  }
  const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
  if (answer.FunctionError) {
    let message = text;
    try {
      const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      message = `${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`;
    } catch {
      // Not JSON: shown as it came.
    }
    return { check: 'invoke', status: 'fail', detail: `the function failed (${answer.FunctionError}): ${message.slice(0, 2000)}` };
  }
  let status: unknown;
  try {
    status = (JSON.parse(text) as { status?: unknown }).status;
  } catch {
    status = undefined;
  }
  if (status !== 'ignored')
    return {
      check: 'invoke',
      status: 'fail',
      detail: `the function answered ${text.slice(0, 500) || '(nothing)'}, not the ignored report`,
    };
  return { check: 'invoke', status: 'ok', detail: 'the function started (its policy loads) and ignored the harmless event' };
}

export async function runSmokeTest(
  args: readonly string[],
  io: Io,
  clientsFor: (region: string) => SmokeTestClients = clientsForRegion,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { values } = parseCommandArgs('smoke-test', args, {
    name: { type: 'string' },
    region: { type: 'string' },
    'no-invoke': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(SMOKE_TEST_HELP);
    return EXIT.ok;
  }
  const name = values.name ?? 'sg-sentry';
  const region = values.region?.trim() || io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim();
  if (!region) throw new CliError('smoke-test: no region: pass --region R, or set AWS_REGION (see sg-sentry smoke-test --help)');
  const clients = clientsFor(region);

  const fn = await checkFunction(clients, name);
  const checks: SmokeCheck[] = [
    await checkRule(clients, `${name}-events`, fn.facts.arn),
    await checkSweep(clients, `${name}-sweep`),
    fn.result,
    await checkTopic(clients, fn.facts.topicArn),
    values['no-invoke']
      ? { check: 'invoke', status: 'skipped', detail: 'skipped (--no-invoke)' }
      : fn.facts.arn === undefined
        ? { check: 'invoke', status: 'skipped', detail: 'skipped: no function' }
        : await checkInvoke(clients, name, region, now()),
  ];
  const exitCode = checks.some((c) => c.status === 'fail') ? EXIT.violations : EXIT.ok;
  if (values.json) {
    io.out(`${JSON.stringify({ name, region, checks, exit_code: exitCode }, null, 2)}\n`);
  } else {
    for (const c of checks) io.out(`${c.status.padEnd(7)} ${c.check.padEnd(8)} ${c.detail}\n`);
    io.out(
      exitCode === EXIT.ok
        ? `sg-sentry ${name} in ${region} passed the smoke test\n`
        : `sg-sentry ${name} in ${region} FAILED the smoke test\n`,
    );
  }
  return exitCode;
}
