/**
 * Reads the Lambda's environment (the variables are listed in the README's "Lambda runtime
 * contract") once, at cold start, and wires the adapters. An invalid policy throws here, so
 * the function fails loudly instead of enforcing a policy nobody wrote.
 */
import { ENV } from './core/env-names';
import { loadPolicy } from './core/policy/policy';
import { FanOutNotifier } from './adapters/fan-out-notifier';
import type { EngineContext, LogSink } from './core/ports';
import { AccountPorts } from './adapters/account-ports';
import { Ec2Adapter } from './adapters/ec2-adapter';
import { EmfMetrics } from './adapters/emf-metrics';
import { assumeRole, type CredentialSource, lazyStsClient } from './adapters/member-credentials';
import { SecurityHubAdapter } from './adapters/security-hub-adapter';
import type { FunctionContext } from './handler';
import { ChatNotifier } from './adapters/chat-notifier';
import { SlackNotifier } from './adapters/slack-notifier';
import { SnsNotifier } from './adapters/sns-adapter';
import { cachedSecureString } from './adapters/ssm-parameter';
import { NotifyOnceTable } from './adapters/notify-once';
import { StateTable } from './adapters/state-table';
import { OrganizationAccounts } from './adapters/organization-accounts';
import { SqsSweepQueue } from './adapters/sweep-queue';
import { SweepSettingsSchema, type SweepSettings } from './core/sweep-settings.schema';

/** A variable holding JSON that does not fit the contract. Thrown at cold start, like a bad policy. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** SENTRY_SWEEP_ACCOUNTS and SENTRY_SWEEP_REGIONS, each a JSON array; undefined when neither is set. */
export function sweepSettingsOf(env: NodeJS.ProcessEnv): SweepSettings | undefined {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of [
    ['accounts', ENV.sweepAccounts],
    ['regions', ENV.sweepRegions],
  ] as const) {
    const text = env[name]?.trim();
    if (!text) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch (error) {
      throw new EnvironmentError(`${name} is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (Object.keys(raw).length === 0) return undefined;
  const parsed = SweepSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const names: Record<string, string> = { accounts: ENV.sweepAccounts, regions: ENV.sweepRegions };
    const problems = parsed.error.issues.map(
      (issue) =>
        `${names[String(issue.path[0])] ?? 'sweep settings'}${issue.path
          .slice(1)
          .map((p) => `[${String(p)}]`)
          .join('')}: ${issue.message}`,
    );
    throw new EnvironmentError(`invalid sweep settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** `true` or `false` (unset: false); anything else is a deployment mistake that must not pass as "off". */
function booleanOf(name: string, value: string | undefined): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  throw new EnvironmentError(`${name} must be true or false, not ${JSON.stringify(value)}`);
}

export function contextFromEnvironment(env: NodeJS.ProcessEnv, overrides: Partial<EngineContext> = {}): FunctionContext {
  const policy = loadPolicy(env[ENV.policy]);
  const topicArn = env[ENV.topicArn]?.trim();
  const selfRoleArn = env[ENV.selfRoleArn]?.trim();
  const slackParameter = env[ENV.slackWebhookParam]?.trim();
  const chatTopicArn = env[ENV.chatTopicArn]?.trim();
  const stateTable = env[ENV.stateTable]?.trim();
  const functionName = env['AWS_LAMBDA_FUNCTION_NAME']?.trim();
  const log: LogSink = overrides.log ?? ((line) => console.log(JSON.stringify(line)));
  // SNS failures surface (NotificationError); chat and Slack are best effort and only log their failures.
  const notifier = FanOutNotifier.of(
    topicArn ? SnsNotifier.forTopic(topicArn) : undefined,
    [
      ...(chatTopicArn ? [ChatNotifier.forTopic(chatTopicArn)] : []),
      ...(slackParameter
        ? [new SlackNotifier(cachedSecureString(slackParameter), log, { source: `SSM parameter ${slackParameter}` })]
        : []),
    ],
    log,
  );
  const memberRoleName = env[ENV.memberRoleName]?.trim();
  const sweepTargets = sweepSettingsOf(env);
  const sweepQueueUrl = env[ENV.sweepQueueUrl]?.trim();
  const securityHub = booleanOf(ENV.securityHub, env[ENV.securityHub]);
  // The SDK's standard endpoint settings, which the adapter's hand-made request does not read itself.
  const securityHubEndpoint = env.AWS_ENDPOINT_URL_SECURITYHUB?.trim() || env.AWS_ENDPOINT_URL?.trim();
  const sts = lazyStsClient();
  const accounts = new AccountPorts({
    ...(memberRoleName ? { memberRoleName } : {}),
    ec2: Ec2Adapter.forRegion,
    ...(securityHub
      ? {
          securityHub: (region: string, credentials?: CredentialSource) =>
            new SecurityHubAdapter(region, {
              ...(credentials !== undefined ? { credentials } : {}),
              ...(securityHubEndpoint ? { endpoint: securityHubEndpoint } : {}),
            }),
        }
      : {}),
    assumeRole: (roleArn) => assumeRole(sts, roleArn),
    now: () => new Date(),
  });
  const notifyOnce = stateTable ? new NotifyOnceTable(stateTable) : undefined;
  return {
    policy,
    portsFor: (target) => accounts.portsFor(target),
    bindInvocation: (context) => {
      accounts.identify(context.invokedFunctionArn);
      notifyOnce?.bind(context);
    },
    ...(sweepTargets ? { sweepTargets } : {}),
    ...(sweepQueueUrl ? { sweepQueue: SqsSweepQueue.forQueue(sweepQueueUrl) } : {}),
    ...(sweepTargets?.accounts === 'organization' ? { organization: OrganizationAccounts.lazy() } : {}),
    ...(notifier ? { notifier } : {}),
    ...(stateTable ? { state: new StateTable(stateTable) } : {}),
    ...(notifyOnce ? { notifyOnce } : {}),
    // Lambda names the session of the function's role after the function.
    ...(selfRoleArn ? { self: { roleArn: selfRoleArn, ...(functionName ? { sessionName: functionName } : {}) } } : {}),
    log,
    metrics: new EmfMetrics(log),
    now: () => new Date(),
    ...overrides,
  };
}
