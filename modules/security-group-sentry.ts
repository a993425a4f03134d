/**
 * `SecurityGroupSentry`: everything sg-sentry needs in one AWS region. Use it from a cdktf app
 * with plain values, or through the synthesized Terraform module, whose stack passes Terraform
 * variables as tokens (see module-stack.ts). Its inputs and their rules are in inputs.ts, the
 * IAM statements in permissions.ts, the event pattern in event-pattern.ts.
 */
import {
  Fn,
  IResolvable,
  TerraformDataSource,
  TerraformIterator,
  TerraformLocal,
  TerraformProvider,
  TerraformResource,
  TerraformResourceLifecycle,
  TerraformStack,
  Token,
  propertyAccess,
} from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { ENV } from '../function/core/env-names';
import { chatTopicName, createChatChannels, hasChatChannels } from './chat';
import { securityGroupChangeEventPattern } from './event-pattern';
import { functionArchiveAsset } from './function-archive';
import {
  INPUTS,
  ORGANIZATION_REQUIRED,
  SWEEP_WHOLE_ORGANIZATION,
  SecurityGroupSentryProps,
  TOPIC_CHOICE,
  plainValueProblems,
} from './inputs';
import {
  ALARM_PERIOD_S,
  type AlarmDefinition,
  couldNotCheckAlarm,
  couldNotCheckAlarmName,
  couldNotCheckMetricFilter,
} from './could-not-check';
import { createMemberStackSets } from './member-stacksets';
import { createMetricsDashboard, metricAlarmNames, metricAlarms } from './metrics-dashboard';
import { createCentralEventBus, createSweepConsumer, createSweepQueue } from './organization';
import {
  DEAD_LETTER_QUEUE_PERMISSIONS,
  KEY_PERMISSIONS,
  PERMISSIONS,
  RoleContext,
  TOPIC_PERMISSIONS,
  centralSwitches,
  centralValues,
  policyDocument,
} from './permissions';
import { minifiedPolicy, policyExceptionRemoval, policyInspectsPrefixLists, policyModeAndAction } from './policy-input';
import { AWS_PROVIDER_VERSION } from './requirements';
import { stateTable, stateTableName } from './state-table';
import {
  and,
  choose,
  equals,
  isNonEmpty,
  isSet,
  isToken,
  joined,
  jsonList,
  listWithOptional,
  mapWithOptionalEntries,
  not,
  or,
  orDefault,
  singleInstance,
} from './terraform-values';

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
  /** Has `count` 0 when `existingRoleArn` is given. */
  readonly role: IamRole;
  /** The function's role (created or given), built from names: known at plan. */
  readonly roleArn: string;
  /** The policy the function's role needs, as JSON; attach it to an existing role. */
  readonly rolePolicyJson: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: SqsQueue;
  readonly eventRule: CloudwatchEventRule;
  /** Has `count` 0 when the sweep is disabled. */
  readonly sweepRule: CloudwatchEventRule;
  /** Has `count` 0 when an existing topic is used. */
  readonly topic: SnsTopic;
  /** The topic the function and the alarms publish to (created or existing). */
  readonly topicArn: string;
  /** Has `count` 0 when a key is given or `createKmsKey` is false. */
  readonly key: KmsKey;
  /** Has `count` 0 when `createStateTable` is false. */
  readonly stateTable: DynamodbTable;
  /** The state table's name, or null without one. */
  readonly stateTableName: string | null;
  /** With an organization (else `count` 0): the bus member accounts forward to, and the sweep queue. */
  readonly organizationEventBus: CloudwatchEventBus;
  readonly sweepQueue: SqsQueue;
  /** The central bus's ARN and the sweep queue's URL, built from names (meaningful with an organization). */
  readonly organizationEventBusArn: string;
  readonly sweepQueueUrl: string;

  constructor(scope: Construct, id: string, props: SecurityGroupSentryProps) {
    super(scope, id);
    const problems = plainValueProblems(props);
    if (problems.length > 0) throw new Error(`SecurityGroupSentry: ${problems.join('; ')}`);
    const name = props.name;
    const tags = props.tags;
    const kmsKeyArn = props.kmsKeyArn ?? null;
    const createTopic = props.createSnsTopic ?? true;
    const sweepSchedule = props.sweepSchedule === undefined ? INPUTS.sweepSchedule.default : props.sweepSchedule;
    const slackParameter = props.slackWebhookSsmParameter ?? null;
    const existingRoleArn = props.existingRoleArn ?? null;
    const organizationId = props.organizationId ?? null;
    const hasOrganization = isSet(organizationId);
    const organizationCount = Token.asNumber(choose(hasOrganization, 1, 0));
    const memberRoleName = props.memberRoleName ?? INPUTS.memberRoleName.default;
    const organizationalUnitIds = props.memberOrganizationalUnitIds ?? [];
    const memberRegions = props.memberRegions ?? [];
    const sweepAccounts = props.sweepAccounts ?? [];
    const sweepRegions = props.sweepRegions ?? [];
    const securityHub = props.securityHub ?? INPUTS.securityHub.default;
    const slackChannels = props.chatSlackChannels ?? [];
    const teamsChannels = props.chatTeamsChannels ?? [];
    const hasChat = hasChatChannels(slackChannels, teamsChannels);
    const createRole = not(isSet(existingRoleArn));
    // Nested so that with createKmsKey = false, a kms_key_arn known only at apply still plans.
    const createKey = and(props.createKmsKey ?? INPUTS.createKmsKey.default, not(isSet(kmsKeyArn)));
    const keyCount = Token.asNumber(choose(props.createKmsKey ?? INPUTS.createKmsKey.default, choose(isSet(kmsKeyArn), 0, 1), 0));

    // Partition, region and account come from data sources that need no resource of the module,
    // and every ARN the role policy and the environment name is built from them and from names:
    // both are known in the first plan, for reviewers and policy-as-code checks.
    // Locals keep the ARNs readable (`local.region`) and out of conditionals' string escapes.
    const local = (localName: string, value: string) => new TerraformLocal(this, localName, value).asString;
    const current = <T extends TerraformDataSource>(dataSource: T) => {
      dataSource.overrideLogicalId('current');
      return dataSource;
    };
    const partitionData = current(new DataAwsPartition(this, 'current_partition'));
    const partition = local('partition', partitionData.partition);
    // `id` is the region's name in every provider version (`name` is deprecated in 6.x).
    const region = local('region', current(new DataAwsRegion(this, 'current_region')).id);
    const accountId = local('account_id', current(new DataAwsCallerIdentity(this, 'current_caller')).accountId);
    const arn = (service: string, resource: string, inRegion = true) =>
      `arn:${partition}:${service}:${inRegion ? region : ''}:${accountId}:${resource}`;
    const logGroupName = `/aws/lambda/${name}`;
    const logGroupArn = arn('logs', `log-group:${logGroupName}`);
    const deadLetterQueueName = `${name}-dlq`;
    const deadLetterQueueArn = arn('sqs', deadLetterQueueName);
    const eventRuleName = `${name}-events`;
    const sweepRuleName = `${name}-sweep`;
    const alarmNames = {
      functionErrors: `${name}-function-errors`,
      deadLetterQueue: `${name}-dlq-depth`,
      sweepDeadLetterQueue: `${name}-sweep-dlq-depth`,
      couldNotCheck: couldNotCheckAlarmName(name),
    };
    const organizationRuleName = `${name}-org-events`;
    this.organizationEventBusArn = arn('events', `event-bus/${name}`);
    // A rule on a custom bus is rule/<bus>/<rule>.
    const organizationRuleArn = arn('events', `rule/${name}/${organizationRuleName}`);
    const sweepQueueName = `${name}-sweep`;
    this.sweepQueueUrl = `https://sqs.${region}.${partitionData.dnsSuffix}/${accountId}/${sweepQueueName}`;
    const roleName = `${name}-${region}`;
    const createdRoleArn = local('created_role_arn', arn('iam', `role${props.rolePath ?? INPUTS.rolePath.default}${roleName}`, false));
    this.roleArn = choose(createRole, createdRoleArn, existingRoleArn ?? '');
    this.topicArn = choose(createTopic, local('created_topic_arn', arn('sns', name)), props.snsTopicArn ?? '');
    const chatTopicArn = arn('sns', chatTopicName(name));
    const keyAlias = `alias/${name}`;

    this.key = new KmsKey(this, 'key', {
      count: keyCount,
      description: `sg-sentry ${name}: encrypts its topic, dead-letter queue and logs`,
      enableKeyRotation: true,
      policy: policyDocument(this, 'key_policy_document', KEY_PERMISSIONS, {
        partition,
        region,
        accountId,
        logGroupArn,
        ruleArns: listWithOptional([arn('events', `rule/${eventRuleName}`), arn('events', `rule/${sweepRuleName}`)], hasOrganization, [
          organizationRuleArn,
        ]),
      }).json,
      tags,
    });
    const alias = new KmsAlias(this, 'key_alias', { count: keyCount, name: keyAlias, targetKeyId: singleInstance(this.key, 'key_id') });
    /** The key of the topic and the queue (an alias works there); null: AWS-managed keys. */
    const topicAndQueueKey = choose<string | undefined>(
      isSet(kmsKeyArn),
      kmsKeyArn ?? undefined,
      choose(createKey, singleInstance(alias, 'name'), undefined),
    );
    const usesKey = or(isSet(kmsKeyArn), createKey);

    // The log group first: its name is this instance's claim. A second instance with the same
    // name fails here, before it could adopt the topic, queue and rules (whose create calls
    // return an existing one of the same name).
    this.logGroup = new CloudwatchLogGroup(this, 'log_group', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? INPUTS.logRetentionDays.default,
      // The log group needs the key's ARN (not an alias).
      kmsKeyId: choose<string | undefined>(
        isSet(kmsKeyArn),
        kmsKeyArn ?? undefined,
        choose(createKey, singleInstance(this.key, 'arn'), undefined),
      ),
      tags,
    });
    const afterClaim = [this.logGroup];

    const createStateTable = props.createStateTable ?? INPUTS.createStateTable.default;
    this.stateTable = stateTable(this, 'state_table', {
      name,
      create: createStateTable,
      // DynamoDB needs the key's ARN (not an alias).
      kmsKeyArn: choose<string | undefined>(
        isSet(kmsKeyArn),
        kmsKeyArn ?? undefined,
        choose(createKey, singleInstance(this.key, 'arn'), undefined),
      ),
      usesKey,
      tags,
      dependsOn: afterClaim,
    });
    this.stateTableName = choose<string | null>(createStateTable, stateTableName(name), null);

    this.deadLetterQueue = new SqsQueue(this, 'dead_letter_queue', {
      name: deadLetterQueueName,
      messageRetentionSeconds: 14 * 24 * 3600,
      kmsMasterKeyId: topicAndQueueKey,
      // Unset (not false) when a key is used: the provider rejects both settings at once.
      sqsManagedSseEnabled: choose<boolean | undefined>(usesKey, undefined, true),
      tags,
      dependsOn: afterClaim,
    });

    this.topic = new SnsTopic(this, 'topic', {
      count: Token.asNumber(choose(createTopic, 1, 0)),
      name,
      displayName: 'sg-sentry',
      kmsMasterKeyId: orDefault(topicAndQueueKey, 'alias/aws/sns'),
      tags,
      dependsOn: afterClaim,
    });
    const emails = TerraformIterator.fromList(props.notificationEmails ?? []);
    new SnsTopicSubscription(this, 'email_subscription', {
      forEach: emails,
      topicArn: this.topicArn,
      protocol: 'email',
      endpoint: emails.value,
      // The topic's ARN is built from its name: the dependency is written out.
      dependsOn: [this.topic],
    });

    this.role = new IamRole(this, 'role', {
      count: Token.asNumber(choose(createRole, 1, 0)),
      name: roleName,
      path: props.rolePath ?? INPUTS.rolePath.default,
      permissionsBoundary: props.rolePermissionsBoundaryArn ?? undefined,
      description: `sg-sentry function ${name}: revokes security-group rules outside its policy`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
      // A new name (a new region, path or name) makes a new role: the function moves to it
      // before the old one goes, so it never runs without a role.
      lifecycle: { createBeforeDestroy: true },
    });

    const sweep = createSweepQueue(this, {
      name: sweepQueueName,
      count: organizationCount,
      kmsMasterKeyId: topicAndQueueKey,
      usesKey,
      lambdaTimeoutS: props.lambdaTimeoutS ?? INPUTS.lambdaTimeoutS.default,
      tags,
      dependsOn: afterClaim,
    });
    this.sweepQueue = sweep.queue;

    const roleContext: RoleContext = {
      partition,
      region,
      accountId,
      logGroupArn,
      topicArn: this.topicArn,
      deadLetterQueueArn,
      kmsKeyArn,
      createsKey: createKey,
      keyAlias,
      slackParameter,
      createsStateTable: createStateTable,
      stateTableArn: arn('dynamodb', `table/${stateTableName(name)}`),
      ...policyModeAndAction(props.policy ?? null),
      ...policyExceptionRemoval(props.policy ?? null),
      inspectPrefixLists: policyInspectsPrefixLists(props.policy ?? null),
      // Events of these regions reach the function, and the sweep visits these.
      ec2WriteRegions: Token.asList(Fn.distinct(Fn.concat([[region], memberRegions, sweepRegions]))),
      organizationId,
      memberRoleName,
      sweepQueueArn: arn('sqs', sweepQueueName),
      sweepsOrganization: equals(joined(sweepAccounts, ','), SWEEP_WHOLE_ORGANIZATION),
      securityHub,
      chat: hasChat,
      chatTopicArn,
    };
    const permissions = policyDocument(this, 'role_policy_document', PERMISSIONS, roleContext);
    // Checked before the document is read, which a topic ARN of null would otherwise break.
    permissions.lifecycle = inputChecks(createTopic, props.snsTopicArn ?? null, organizationId, organizationalUnitIds, sweepAccounts);
    this.rolePolicyJson = permissions.json;
    const rolePolicy = new IamRolePolicy(this, 'role_policy', {
      count: Token.asNumber(choose(createRole, 1, 0)),
      name: 'sg-sentry',
      role: singleInstance(this.role, 'id'),
      policy: permissions.json,
      lifecycle: { createBeforeDestroy: true },
    });

    new SnsTopicPolicy(this, 'topic_policy', {
      count: Token.asNumber(choose(createTopic, 1, 0)),
      arn: singleInstance(this.topic, 'arn'),
      policy: policyDocument(this, 'topic_policy_document', TOPIC_PERMISSIONS, {
        partition,
        region,
        accountId,
        name,
        topicArn: this.topicArn,
        roleArn: this.roleArn,
        alarmArns: listWithOptional(
          [
            arn('cloudwatch', `alarm:${alarmNames.functionErrors}`),
            arn('cloudwatch', `alarm:${alarmNames.deadLetterQueue}`),
            arn('cloudwatch', `alarm:${alarmNames.couldNotCheck}`),
            ...Object.values(metricAlarmNames(name)).map((alarm) => arn('cloudwatch', `alarm:${alarm}`)),
          ],
          hasOrganization,
          [arn('cloudwatch', `alarm:${alarmNames.sweepDeadLetterQueue}`)],
        ),
      }).json,
      // SNS checks that the principals exist.
      dependsOn: [this.role],
    });

    createChatChannels(this, {
      name,
      create: hasChat,
      slackChannels,
      teamsChannels,
      partition,
      region,
      topicArn: chatTopicArn,
      kmsMasterKeyId: orDefault(topicAndQueueKey, 'alias/aws/sns'),
      functionRoleArn: this.roleArn,
      rolePath: props.rolePath ?? INPUTS.rolePath.default,
      rolePermissionsBoundaryArn: props.rolePermissionsBoundaryArn ?? undefined,
      tags,
      dependsOn: [...afterClaim, this.role],
    });

    const archivePath = props.functionArchivePath ?? functionArchiveAsset(this, 'function_archive').path;
    this.function = new LambdaFunction(this, 'function', {
      functionName: name,
      description: 'sg-sentry: revokes security-group rules that its policy does not allow',
      role: choose(createRole, singleInstance(this.role, 'arn'), existingRoleArn ?? ''),
      filename: archivePath,
      sourceCodeHash: props.functionArchiveHash ?? Fn.filebase64sha256(archivePath),
      handler: 'index.handler',
      runtime: props.lambdaRuntime ?? INPUTS.lambdaRuntime.default,
      architectures: [props.lambdaArchitecture ?? INPUTS.lambdaArchitecture.default],
      memorySize: props.lambdaMemoryMb ?? INPUTS.lambdaMemoryMb.default,
      timeout: props.lambdaTimeoutS ?? INPUTS.lambdaTimeoutS.default,
      reservedConcurrentExecutions: reservedConcurrency(props.reservedConcurrency),
      environment: {
        variables: mapWithOptionalEntries({ [ENV.topicArn]: this.topicArn, [ENV.selfRoleArn]: this.roleArn }, [
          { key: ENV.policy, value: minifiedPolicy(props.policy ?? null), when: isSet(props.policy ?? null) },
          { key: ENV.slackWebhookParam, value: slackParameter ?? '', when: isSet(slackParameter) },
          { key: ENV.stateTable, value: stateTableName(name), when: createStateTable },
          { key: ENV.memberRoleName, value: memberRoleName, when: hasOrganization },
          { key: ENV.sweepQueueUrl, value: this.sweepQueueUrl, when: hasOrganization },
          { key: ENV.sweepAccounts, value: jsonList(sweepAccounts), when: isNonEmpty(sweepAccounts) },
          { key: ENV.sweepRegions, value: jsonList(sweepRegions), when: isNonEmpty(sweepRegions) },
          { key: ENV.securityHub, value: 'true', when: securityHub },
          { key: ENV.chatTopicArn, value: chatTopicArn, when: hasChat },
        ]),
      },
      tags,
      // The log group first, so Lambda never creates its own without retention; the policy
      // first, so the first invocation has its permissions.
      dependsOn: [this.logGroup, rolePolicy],
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
      name: eventRuleName,
      description: 'sg-sentry: security-group rule changes recorded by CloudTrail',
      eventPattern: JSON.stringify(securityGroupChangeEventPattern()),
      tags,
      dependsOn: afterClaim,
    });
    this.invokeFromRule('security_group_changes', 'AllowSecurityGroupChangeEvents', this.eventRule.name, this.eventRule.arn);

    const sweepCount = Token.asNumber(choose(isSet(sweepSchedule), 1, 0));
    this.sweepRule = new CloudwatchEventRule(this, 'sweep', {
      count: sweepCount,
      name: sweepRuleName,
      description: 'sg-sentry: scheduled sweep of existing security-group rules',
      scheduleExpression: sweepSchedule ?? undefined,
      tags,
      dependsOn: afterClaim,
    });
    this.invokeFromRule(
      'sweep',
      'AllowSweepSchedule',
      singleInstance(this.sweepRule, 'name'),
      singleInstance(this.sweepRule, 'arn'),
      sweepCount,
    );

    const organization = createCentralEventBus(this, {
      name,
      ruleName: organizationRuleName,
      count: organizationCount,
      organizationId: organizationId ?? '',
      busArn: this.organizationEventBusArn,
      tags,
      dependsOn: afterClaim,
    });
    this.organizationEventBus = organization.bus;
    this.invokeFromRule(
      'organization_security_group_changes',
      'AllowOrganizationSecurityGroupChangeEvents',
      singleInstance(organization.rule, 'name'),
      singleInstance(organization.rule, 'arn'),
      organizationCount,
      singleInstance(organization.bus, 'name'),
    );
    createSweepConsumer(this, {
      count: organizationCount,
      queue: this.sweepQueue,
      functionArn: this.function.arn,
      dependsOn: [rolePolicy],
    });

    const withStackSets = and(hasOrganization, isNonEmpty(organizationalUnitIds));
    createMemberStackSets(this, {
      name,
      count: Token.asNumber(choose(withStackSets, 1, 0)),
      organizationalUnitIds,
      forwardedRegions: choose(withStackSets, Token.asList(Fn.coalescelist([memberRegions, [region]])), []),
      callAs: props.stacksetCallAs ?? INPUTS.stacksetCallAs.default,
      region,
      accountId,
      centralEventBusArn: this.organizationEventBusArn,
      centralFunctionRoleArn: this.roleArn,
      memberRoleName,
      writeRegions: roleContext.ec2WriteRegions,
      switches: centralSwitches(roleContext),
      values: centralValues(roleContext),
      tags,
    });

    const queueAccess = policyDocument(this, 'dead_letter_queue_policy_document', DEAD_LETTER_QUEUE_PERMISSIONS, {
      queueArn: this.deadLetterQueue.arn,
      ruleArns: Token.asList(
        Fn.concat([[this.eventRule.arn], propertyAccess(this.sweepRule, ['*', 'arn']), propertyAccess(organization.rule, ['*', 'arn'])]),
      ),
    });
    new SqsQueuePolicy(this, 'dead_letter_queue_policy', {
      queueUrl: this.deadLetterQueue.url,
      policy: queueAccess.json,
    });

    this.alarmAboveZero('function_errors_alarm', {
      alarmName: alarmNames.functionErrors,
      alarmDescription: 'sg-sentry: the function failed; a change may not have been checked (see its logs)',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: this.function.functionName },
      statistic: 'Sum',
      tags,
    });
    this.alarmAboveZero('dead_letter_queue_alarm', {
      alarmName: alarmNames.deadLetterQueue,
      alarmDescription: 'sg-sentry: events that were never handled are waiting in the dead-letter queue',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: 'Maximum',
      tags,
    });
    couldNotCheckMetricFilter(this, 'could_not_check_filter', { name, logGroupName, dependsOn: afterClaim });
    this.alarmAboveZero('could_not_check_alarm', couldNotCheckAlarm(name, tags));
    this.alarmAboveZero(
      'sweep_dead_letter_queue_alarm',
      {
        alarmName: alarmNames.sweepDeadLetterQueue,
        alarmDescription: 'sg-sentry: sweep jobs (one account and region each) failed every attempt; those targets were not swept',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `${sweepQueueName}-dlq` },
        statistic: 'Maximum',
        tags,
      },
      organizationCount,
    );

    for (const [id, alarm] of metricAlarms(name, tags)) this.alarmAboveZero(id, alarm);
    createMetricsDashboard(this, 'dashboard', { name, region });

    if (props.provider) useProvider(this, props.provider);
    // The provider bindings pin the exact AWS provider version they were generated from; the
    // construct works with the whole range, so the stack asks for the range.
    TerraformStack.of(this).addOverride('terraform.required_providers.aws.version', AWS_PROVIDER_VERSION);
  }

  /** An alarm that notifies the topic as soon as the metric (or metric math) exceeds 0 in a 5-minute period. */
  private alarmAboveZero(id: string, alarm: AlarmDefinition, count?: number): void {
    new CloudwatchMetricAlarm(this, id, {
      count,
      ...alarm,
      // Metric math carries its period in each metric.
      period: 'metricQuery' in alarm ? undefined : ALARM_PERIOD_S,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [this.topicArn],
      // The topic's ARN is built from its name: the dependency is written out.
      dependsOn: [this.topic],
    });
  }

  /** Rule → function: the target (retries, then the DLQ) and the permission scoped to the rule. */
  private invokeFromRule(id: string, statementId: string, ruleName: string, ruleArn: string, count?: number, eventBusName?: string): void {
    new CloudwatchEventTarget(this, `${id}_target`, {
      count,
      rule: ruleName,
      eventBusName,
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

/** Lambda's `-1` means unreserved; null asks for that. */
function reservedConcurrency(value: number | null | undefined): number {
  const given = value === undefined ? INPUTS.reservedConcurrency.default : value;
  if (given === null) return -1;
  return isToken(given) ? Token.asNumber(Fn.coalesce([given, -1])) : given;
}

/** Every resource and data source of the construct on the given provider. */
function useProvider(scope: Construct, provider: TerraformProvider): void {
  for (const child of scope.node.findAll()) {
    if (TerraformResource.isTerraformResource(child) || child instanceof TerraformDataSource) child.provider = provider;
  }
}

/** The cross-input preconditions, for the inputs only Terraform knows (plain values: plainValueProblems). */
function inputChecks(
  createTopic: boolean | IResolvable,
  topicArn: string | null,
  organizationId: string | null,
  organizationalUnitIds: string[],
  sweepAccounts: string[],
): TerraformResourceLifecycle | undefined {
  const precondition = [];
  if (isToken(createTopic) || isToken(topicArn)) {
    precondition.push({ condition: TOPIC_CHOICE.condition(createTopic, topicArn), errorMessage: TOPIC_CHOICE.errorMessage });
  }
  if ([organizationId, organizationalUnitIds, sweepAccounts].some(isToken)) {
    precondition.push({
      condition: ORGANIZATION_REQUIRED.condition(organizationId, organizationalUnitIds, sweepAccounts),
      errorMessage: ORGANIZATION_REQUIRED.errorMessage,
    });
  }
  return precondition.length > 0 ? { precondition } : undefined;
}
