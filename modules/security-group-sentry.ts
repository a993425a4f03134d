/**
 * `SecurityGroupSentry`: everything sg-sentry needs in one AWS region. Use it from a cdktf app
 * with plain values, or through the synthesized Terraform module, whose stack passes Terraform
 * variables as tokens (see module-stack.ts). Its inputs and their rules are in inputs.ts, the
 * IAM statements in permissions.ts, the event pattern in event-pattern.ts.
 */
import { Fn, IResolvable, TerraformIterator, TerraformLocal, TerraformResourceLifecycle, Token, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
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
import { securityGroupChangeEventPattern } from './event-pattern';
import { INPUTS, SecurityGroupSentryProps, TOPIC_CHOICE, plainValueProblems } from './inputs';
import { DEAD_LETTER_QUEUE_PERMISSIONS, PERMISSIONS, policyDocument } from './permissions';
import { minifiedPolicy, policyModeAndAction } from './policy-input';
import { choose, isSet, isToken, mapWithOptionalEntries, orDefault } from './terraform-values';

export type { SecurityGroupSentryProps } from './inputs';

/**
 * How long EventBridge keeps retrying to hand an event to the function (it retries only when
 * the asynchronous Invoke call itself fails, e.g. throttling) and how long Lambda keeps an event
 * in its asynchronous queue. Past that, the event goes to the dead-letter queue. An hourly sweep
 * catches anything older anyway.
 */
export const MAXIMUM_EVENT_AGE_S = 3600;
/** EventBridge's own maximum; the event age above is what ends the retries in practice. */
export const EVENTBRIDGE_MAXIMUM_RETRY_ATTEMPTS = 185;

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
    const problems = plainValueProblems(props);
    if (problems.length > 0) throw new Error(`SecurityGroupSentry: ${problems.join('; ')}`);
    const name = props.name;
    const tags = props.tags;
    const kmsKeyArn = props.kmsKeyArn ?? null;
    const hasKmsKey = isSet(kmsKeyArn);
    const createTopic = props.createSnsTopic ?? true;
    const sweepSchedule = props.sweepSchedule === undefined ? INPUTS.sweepSchedule.default : props.sweepSchedule;
    const slackParameter = props.slackWebhookSsmParameter ?? null;

    this.logGroup = new CloudwatchLogGroup(this, 'log_group', {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? INPUTS.logRetentionDays.default,
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

    const permissions = policyDocument(this, 'role_policy_document', PERMISSIONS, {
      partition,
      region,
      accountId,
      logGroupArn: this.logGroup.arn,
      topicArn: this.topicArn,
      deadLetterQueueArn: this.deadLetterQueue.arn,
      kmsKeyArn,
      slackParameter,
      ...policyModeAndAction(props.policy ?? null),
    });
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
      runtime: props.lambdaRuntime ?? INPUTS.lambdaRuntime.default,
      architectures: [props.lambdaArchitecture ?? INPUTS.lambdaArchitecture.default],
      memorySize: props.lambdaMemoryMb ?? INPUTS.lambdaMemoryMb.default,
      timeout: props.lambdaTimeoutS ?? INPUTS.lambdaTimeoutS.default,
      environment: {
        variables: mapWithOptionalEntries(
          { [ENV.topicArn]: this.topicArn, [ENV.selfRoleArn]: this.role.arn },
          [
            { key: ENV.policy, value: minifiedPolicy(props.policy ?? null), when: isSet(props.policy ?? null) },
            { key: ENV.slackWebhookParam, value: slackParameter ?? '', when: isSet(slackParameter) },
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
      maximumRetryAttempts: props.maximumRetryAttempts ?? INPUTS.maximumRetryAttempts.default,
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

    const queueAccess = policyDocument(
      this,
      'dead_letter_queue_policy_document',
      DEAD_LETTER_QUEUE_PERMISSIONS,
      {
        queueArn: this.deadLetterQueue.arn,
        ruleArns: Token.asList(Fn.concat([[this.eventRule.arn], propertyAccess(this.sweepRule, ['*', 'arn'])])),
      },
      { effect: false },
    );
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


/** The precondition that holds the topic choice when either side is only known to Terraform. */
function topicChoiceCheck(createTopic: boolean | IResolvable, topicArn: string | null): TerraformResourceLifecycle | undefined {
  if (!isToken(createTopic) && !isToken(topicArn)) return undefined; // plain values: plainValueProblems
  return { precondition: [{ condition: TOPIC_CHOICE.condition(createTopic, topicArn), errorMessage: TOPIC_CHOICE.errorMessage }] };
}
