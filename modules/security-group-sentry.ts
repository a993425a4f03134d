/**
 * `SecurityGroupSentry`: everything sg-sentry needs in one AWS region (DESIGN §9). Use it from a
 * cdktf app with plain values, or through the synthesized Terraform module, whose stack passes
 * Terraform variables as tokens (see module-stack.ts).
 */
import { Fn, IResolvable, Op, TerraformIterator, TerraformLocal, TerraformResourceLifecycle, Token, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { ENV } from '../function/core/env-names';
import { DEFAULT_POLICY_DOCUMENT } from '../function/core/policy/default-policy';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EC2_EVENT_SOURCE,
  EVENTBRIDGE_EC2_SOURCE,
  WATCHED_EVENT_NAMES,
} from '../function/core/watched-events';
import { PermissionSid } from './permissions';
import {
  Condition,
  and,
  choose,
  equals,
  isSet,
  isToken,
  mapWithOptionalEntries,
  not,
  orDefault,
  withoutLeadingSlash,
} from './terraform-values';

/** Defaults shared by the construct and the module's variables. */
export const SENTRY_DEFAULTS = {
  name: 'sg-sentry',
  sweepSchedule: 'rate(1 hour)',
  lambdaRuntime: 'nodejs22.x',
  lambdaArchitecture: 'arm64',
  lambdaMemoryMb: 256,
  lambdaTimeoutS: 120,
  logRetentionDays: 90,
  maximumRetryAttempts: 2,
} as const;

/** The bundle targets Node 22 (scripts/build.mjs), so older runtimes are not offered. */
export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export const SUPPORTED_ARCHITECTURES = ['arm64', 'x86_64'] as const;
/** Values CloudWatch Logs accepts for a retention period. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/**
 * Lambda allows 4 KB for all environment variables together; the policy (minified) may use
 * 3 KB of it, which leaves 1 KB for the topic ARN, role ARN and Slack parameter name.
 */
export const POLICY_MAX_BYTES = 3072;
/** Letters, digits, `-`, `_`; short enough that `<name>-events` fits EventBridge's 64 chars. */
export const NAME_PATTERN = '^[A-Za-z0-9_-]{1,48}$';
export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
export const SSM_PARAMETER_NAME_PATTERN = '^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$';
/** A KMS key ARN (IAM statements match keys by key ARN, not by alias). */
export const KMS_KEY_ARN_PATTERN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$';
export const SNS_TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$';
export const SCHEDULE_PATTERN = '^(rate|cron)\\(.+\\)$';

/**
 * How long EventBridge keeps retrying to hand an event to the function (it retries only when
 * the asynchronous Invoke call itself fails, e.g. throttling) and how long Lambda keeps an event
 * in its asynchronous queue. Past that, the event goes to the dead-letter queue. An hourly sweep
 * catches anything older anyway.
 */
export const MAXIMUM_EVENT_AGE_S = 3600;
/** EventBridge's own maximum; the event age above is what ends the retries in practice. */
export const EVENTBRIDGE_MAXIMUM_RETRY_ATTEMPTS = 185;
/** The policy keys the IAM role depends on take the embedded default's values when omitted. */
const POLICY_DEFAULT_MODE = DEFAULT_POLICY_DOCUMENT.mode;
const POLICY_DEFAULT_ACTION = DEFAULT_POLICY_DOCUMENT.action;

export interface SecurityGroupSentryProps {
  /** Prefix of every resource name. Must be unique per account and region (the IAM role: per account). */
  readonly name: string;
  /**
   * Path of the function archive (a zip of dist/function/index.js) as Terraform resolves it,
   * e.g. `${path.module}/assets/function.zip`, or a cdktf `TerraformAsset`'s `path`.
   */
  readonly functionArchivePath: string;
  /** `source_code_hash` of the archive; default `filebase64sha256(functionArchivePath)`. */
  readonly functionArchiveHash?: string;
  /** Policy JSON (DESIGN §4). Unset or null: the function's embedded default policy. */
  readonly policy?: string | null;
  /** One email subscription each. */
  readonly notificationEmails?: string[];
  /** Create the SNS topic (default true), or publish to `snsTopicArn`. */
  readonly createSnsTopic?: boolean | IResolvable;
  /** An existing topic; required when `createSnsTopic` is false. */
  readonly snsTopicArn?: string | null;
  /** Name of an SSM SecureString parameter holding a Slack incoming-webhook URL. */
  readonly slackWebhookSsmParameter?: string | null;
  /** EventBridge schedule of the sweep; default hourly; null disables the sweep. */
  readonly sweepSchedule?: string | null;
  readonly lambdaRuntime?: string;
  readonly lambdaArchitecture?: string;
  readonly lambdaMemoryMb?: number;
  readonly lambdaTimeoutS?: number;
  readonly logRetentionDays?: number;
  /** Customer-managed KMS key for the topic, the dead-letter queue and the log group. */
  readonly kmsKeyArn?: string | null;
  /** Lambda's asynchronous retries after a function error (0-2). */
  readonly maximumRetryAttempts?: number;
  readonly tags?: { [key: string]: string };
}

/** One IAM statement; the same keys work as cdktf props and as a raw Terraform block. */
interface Statement {
  readonly sid: PermissionSid;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition?: Array<{ readonly test: string; readonly variable: string; readonly values: string[] }>;
}

/** The EventBridge pattern of DESIGN §3: the watched EC2 calls, failed calls excluded. */
export function securityGroupChangeEventPattern() {
  return {
    source: [EVENTBRIDGE_EC2_SOURCE],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [EC2_EVENT_SOURCE],
      eventName: [...WATCHED_EVENT_NAMES],
      errorCode: [{ exists: false }],
    },
  };
}

export class SecurityGroupSentry extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: SqsQueue;
  readonly eventRule: CloudwatchEventRule;
  /** Has `count` 0 when the sweep is disabled. */
  readonly sweepRule: CloudwatchEventRule;
  /** Has `count` 0 when an existing topic is used. */
  readonly topic: SnsTopic;
  /** The topic the function and the alarms publish to (created or existing). */
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: SecurityGroupSentryProps) {
    super(scope, id);
    checkPlainProps(props);
    const name = props.name;
    const tags = props.tags;
    const kmsKeyArn = props.kmsKeyArn ?? null;
    const hasKmsKey = isSet(kmsKeyArn);
    const createTopic = props.createSnsTopic ?? true;
    const sweepSchedule = props.sweepSchedule === undefined ? SENTRY_DEFAULTS.sweepSchedule : props.sweepSchedule;
    const slackParameter = props.slackWebhookSsmParameter ?? null;
    const hasSlack = isSet(slackParameter);

    this.logGroup = new CloudwatchLogGroup(this, 'log_group', {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? SENTRY_DEFAULTS.logRetentionDays,
      kmsKeyId: kmsKeyArn ?? undefined,
      tags,
    });
    // Partition, region and account come from an ARN the module creates: no data source, so
    // nothing calls AWS at plan time.
    const arnPart = (index: number, localName: string) =>
      new TerraformLocal(this, localName, Fn.element(Fn.split(':', this.logGroup.arn), index)).asString;
    const partition = arnPart(1, 'partition');
    const region = arnPart(3, 'region');
    const accountId = arnPart(4, 'account_id');

    this.deadLetterQueue = new SqsQueue(this, 'dead_letter_queue', {
      name: `${name}-dlq`,
      messageRetentionSeconds: 14 * 24 * 3600,
      kmsMasterKeyId: kmsKeyArn ?? undefined,
      // Unset (not false) when a key is given: the provider rejects both settings at once.
      sqsManagedSseEnabled: choose<boolean | undefined>(hasKmsKey, undefined, true),
      tags,
    });

    this.topic = new SnsTopic(this, 'topic', {
      count: Token.asNumber(choose(createTopic, 1, 0)),
      name,
      displayName: 'sg-sentry',
      kmsMasterKeyId: orDefault(kmsKeyArn, 'alias/aws/sns'),
      tags,
    });
    this.topicArn = choose(createTopic, singleInstance(this.topic, 'arn'), props.snsTopicArn ?? '');
    const emails = TerraformIterator.fromList(props.notificationEmails ?? []);
    new SnsTopicSubscription(this, 'email_subscription', {
      forEach: emails,
      topicArn: this.topicArn,
      protocol: 'email',
      endpoint: emails.value,
    });

    this.role = new IamRole(this, 'role', {
      name,
      description: `sg-sentry function ${name}: revokes security-group rules outside its policy`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    });

    const securityGroupArns = [
      `arn:${partition}:ec2:*:${accountId}:security-group/*`,
      `arn:${partition}:ec2:*:${accountId}:security-group-rule/*`,
    ];
    const slackParameterArn = `arn:${partition}:ssm:${region}:${accountId}:parameter/${withoutLeadingSlash(slackParameter ?? '')}`;
    const { mode, action } = policyModeAndAction(props.policy ?? null);
    const enforces = not(equals(mode, 'report'));
    const statements: Array<{ readonly statement: Statement; readonly when: Condition }> = [
      {
        when: true,
        statement: {
          sid: 'ReadSecurityGroups',
          actions: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'],
          resources: ['*'],
        },
      },
      {
        when: enforces,
        statement: {
          sid: 'RevokeSecurityGroupRules',
          actions: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
          resources: securityGroupArns,
        },
      },
      {
        when: and(enforces, equals(action, 'restrict')),
        statement: {
          sid: 'AuthorizeRestrictedReplacementRules',
          actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'],
          resources: securityGroupArns,
        },
      },
      {
        when: true,
        statement: {
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.arn}:*`],
        },
      },
      {
        when: true,
        statement: { sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [this.topicArn] },
      },
      {
        when: true,
        statement: {
          sid: 'SendFailedEventsToDeadLetterQueue',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.arn],
        },
      },
      {
        when: hasKmsKey,
        statement: {
          sid: 'UseKeyOfTopicAndQueue',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [kmsKeyArn ?? ''],
          condition: [
            {
              test: 'StringEquals',
              variable: 'kms:ViaService',
              values: [`sns.${region}.amazonaws.com`, `sqs.${region}.amazonaws.com`],
            },
          ],
        },
      },
      {
        when: hasSlack,
        statement: { sid: 'ReadSlackWebhookParameter', actions: ['ssm:GetParameter'], resources: [slackParameterArn] },
      },
      {
        when: hasSlack,
        statement: {
          sid: 'DecryptSlackWebhookParameter',
          actions: ['kms:Decrypt'],
          resources: [`arn:${partition}:kms:${region}:${accountId}:key/*`],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region}.amazonaws.com`] },
            { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [slackParameterArn] },
          ],
        },
      },
    ];
    const permissions = policyDocument(this, 'role_policy_document', statements);
    const rolePolicy = new IamRolePolicy(this, 'role_policy', {
      name: 'sg-sentry',
      role: this.role.id,
      policy: permissions.json,
    });

    const archivePath = props.functionArchivePath;
    this.function = new LambdaFunction(this, 'function', {
      functionName: name,
      description: 'sg-sentry: revokes security-group rules that its policy does not allow',
      role: this.role.arn,
      filename: archivePath,
      sourceCodeHash: props.functionArchiveHash ?? Fn.filebase64sha256(archivePath),
      handler: 'index.handler',
      runtime: props.lambdaRuntime ?? SENTRY_DEFAULTS.lambdaRuntime,
      architectures: [props.lambdaArchitecture ?? SENTRY_DEFAULTS.lambdaArchitecture],
      memorySize: props.lambdaMemoryMb ?? SENTRY_DEFAULTS.lambdaMemoryMb,
      timeout: props.lambdaTimeoutS ?? SENTRY_DEFAULTS.lambdaTimeoutS,
      environment: {
        variables: mapWithOptionalEntries(
          { [ENV.topicArn]: this.topicArn, [ENV.selfRoleArn]: this.role.arn },
          [
            { key: ENV.policy, value: minifiedPolicy(props.policy ?? null), when: isSet(props.policy ?? null) },
            { key: ENV.slackWebhookParam, value: slackParameter ?? '', when: hasSlack },
          ],
        ),
      },
      tags,
      // The log group first, so Lambda never creates its own without retention; the policy
      // first, so the first invocation has its permissions.
      dependsOn: [this.logGroup, rolePolicy],
      lifecycle: topicChoiceCheck(createTopic, props.snsTopicArn ?? null),
    });

    // Lambda's asynchronous invocation: retries after a function error, then the DLQ. Lambda
    // checks at this call that the role may send to the queue, hence the dependency.
    new LambdaFunctionEventInvokeConfig(this, 'function_async_config', {
      functionName: this.function.functionName,
      maximumRetryAttempts: props.maximumRetryAttempts ?? SENTRY_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeInSeconds: MAXIMUM_EVENT_AGE_S,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
      dependsOn: [rolePolicy],
    });

    this.eventRule = new CloudwatchEventRule(this, 'security_group_changes', {
      name: `${name}-events`,
      description: 'sg-sentry: security-group rule changes recorded by CloudTrail',
      eventPattern: JSON.stringify(securityGroupChangeEventPattern()),
      tags,
    });
    this.invokeFromRule('security_group_changes', 'AllowSecurityGroupChangeEvents', this.eventRule.name, this.eventRule.arn);

    const sweepCount = Token.asNumber(choose(isSet(sweepSchedule), 1, 0));
    this.sweepRule = new CloudwatchEventRule(this, 'sweep', {
      count: sweepCount,
      name: `${name}-sweep`,
      description: 'sg-sentry: scheduled sweep of existing security-group rules',
      scheduleExpression: sweepSchedule ?? undefined,
      tags,
    });
    this.invokeFromRule(
      'sweep',
      'AllowSweepSchedule',
      singleInstance(this.sweepRule, 'name'),
      singleInstance(this.sweepRule, 'arn'),
      sweepCount,
    );

    const queueAccess = new DataAwsIamPolicyDocument(this, 'dead_letter_queue_policy_document', {
      statement: [
        {
          sid: 'EventBridgeDeliveryFailures',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.arn],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          condition: [
            {
              test: 'ArnEquals',
              variable: 'aws:SourceArn',
              values: Token.asList(Fn.concat([[this.eventRule.arn], propertyAccess(this.sweepRule, ['*', 'arn'])])),
            },
          ],
        },
      ],
    });
    new SqsQueuePolicy(this, 'dead_letter_queue_policy', {
      queueUrl: this.deadLetterQueue.url,
      policy: queueAccess.json,
    });

    this.alarmAboveZero('function_errors_alarm', {
      alarmName: `${name}-function-errors`,
      alarmDescription: 'sg-sentry: the function failed; a change may not have been checked (see its logs)',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: this.function.functionName },
      statistic: 'Sum',
      tags,
    });
    this.alarmAboveZero('dead_letter_queue_alarm', {
      alarmName: `${name}-dlq-depth`,
      alarmDescription: 'sg-sentry: events that were never handled are waiting in the dead-letter queue',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: 'Maximum',
      tags,
    });
  }

  /** An alarm that notifies the topic as soon as the metric exceeds 0 in a 5-minute period. */
  private alarmAboveZero(
    id: string,
    metric: Pick<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmDescription' | 'namespace' | 'metricName' | 'dimensions' | 'statistic' | 'tags'>,
  ): void {
    new CloudwatchMetricAlarm(this, id, {
      ...metric,
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [this.topicArn],
    });
  }

  /** Rule → function: the target (retries, then the DLQ) and the permission scoped to the rule. */
  private invokeFromRule(id: string, statementId: string, ruleName: string, ruleArn: string, count?: number): void {
    new CloudwatchEventTarget(this, `${id}_target`, {
      count,
      rule: ruleName,
      targetId: 'sg-sentry',
      arn: this.function.arn,
      retryPolicy: {
        maximumEventAgeInSeconds: MAXIMUM_EVENT_AGE_S,
        maximumRetryAttempts: EVENTBRIDGE_MAXIMUM_RETRY_ATTEMPTS,
      },
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });
    new LambdaPermission(this, `${id}_permission`, {
      count,
      statementId,
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: ruleArn,
    });
  }
}

/** `one(resource[*].attribute)`: the attribute of a resource that has `count` 0 or 1. */
function singleInstance(resource: SnsTopic | CloudwatchEventRule, attribute: string): string {
  return Token.asString(Fn.one(propertyAccess(resource, ['*', attribute])));
}

/**
 * A policy document whose statements appear when their condition holds: statically when the
 * condition is known now, else as a `dynamic "statement"` block, which (unlike `count`) works
 * when the condition is only known at apply.
 */
function policyDocument(
  scope: Construct,
  id: string,
  statements: ReadonlyArray<{ readonly statement: Statement; readonly when: Condition }>,
): DataAwsIamPolicyDocument {
  const fixed = statements.filter((s) => s.when === true).map((s) => s.statement);
  const deferred = statements.filter((s) => typeof s.when !== 'boolean');
  const document = new DataAwsIamPolicyDocument(scope, id, { statement: fixed.map((s) => ({ effect: 'Allow', ...s })) });
  if (deferred.length > 0) {
    document.addOverride(
      'dynamic.statement',
      deferred.map((s) => ({
        for_each: choose(s.when, [s.statement.sid], []),
        content: { effect: 'Allow', ...s.statement },
      })),
    );
  }
  return document;
}

/** `mode` and `action` of the policy, with §4's defaults for omitted keys or no policy. */
function policyModeAndAction(policy: string | null): { mode: string; action: string } {
  if (policy === null || policy === '') return { mode: POLICY_DEFAULT_MODE, action: POLICY_DEFAULT_ACTION };
  if (isToken(policy)) {
    const key = (name: string, fallback: string) =>
      Token.asString(Fn.try([Fn.lookup(Fn.jsondecode(policy), name, fallback), fallback]));
    return { mode: key('mode', POLICY_DEFAULT_MODE), action: key('action', POLICY_DEFAULT_ACTION) };
  }
  const parsed = JSON.parse(policy) as { mode?: string; action?: string };
  return { mode: parsed.mode ?? POLICY_DEFAULT_MODE, action: parsed.action ?? POLICY_DEFAULT_ACTION };
}

/** The policy without insignificant whitespace, so a readable heredoc costs no env bytes. */
function minifiedPolicy(policy: string | null): string {
  if (policy === null) return '';
  return isToken(policy) ? Fn.jsonencode(Fn.jsondecode(policy)) : JSON.stringify(JSON.parse(policy));
}

/**
 * `sns_topic_arn` exactly when `create_sns_topic = false`, as a precondition on the function
 * (which always exists): a variable validation that refers to another variable needs
 * Terraform 1.9, and Terraform skips it when the caller leaves that variable at its default.
 */
function topicChoiceCheck(createTopic: boolean | IResolvable, topicArn: string | null): TerraformResourceLifecycle | undefined {
  if (!isToken(createTopic) && !isToken(topicArn)) return undefined; // checked by checkPlainProps
  return {
    precondition: [
      {
        condition: Op.eq(createTopic, Op.eq(topicArn, Token.nullValue())),
        errorMessage: 'Set sns_topic_arn when create_sns_topic = false, and only then.',
      },
    ],
  };
}

/** Fails early on plain values that the module's Terraform validations would reject. */
function checkPlainProps(props: SecurityGroupSentryProps): void {
  const problems: string[] = [];
  const plain = (v: unknown): v is string => typeof v === 'string' && !isToken(v);
  if (plain(props.name) && !new RegExp(NAME_PATTERN).test(props.name)) {
    problems.push(`name ${JSON.stringify(props.name)} must match ${NAME_PATTERN}`);
  }
  if (plain(props.policy)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(props.policy);
    } catch (error) {
      problems.push(`policy is not valid JSON: ${(error as Error).message}`);
    }
    if (parsed !== undefined && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
      problems.push('policy must be a JSON object');
    } else if (parsed !== undefined && Buffer.byteLength(JSON.stringify(parsed)) > POLICY_MAX_BYTES) {
      problems.push(`policy is longer than ${POLICY_MAX_BYTES} bytes minified`);
    }
  }
  if (Array.isArray(props.notificationEmails) && !isToken(props.notificationEmails)) {
    for (const email of props.notificationEmails.filter(plain)) {
      if (!new RegExp(EMAIL_PATTERN).test(email)) problems.push(`${JSON.stringify(email)} is not an email address`);
    }
  }
  if (typeof props.createSnsTopic === 'boolean' && plain(props.snsTopicArn ?? '') && props.createSnsTopic === !!props.snsTopicArn) {
    problems.push('set snsTopicArn when createSnsTopic is false, and only then');
  }
  if (problems.length > 0) throw new Error(`SecurityGroupSentry: ${problems.join('; ')}`);
}
