/**
 * Every IAM statement the module writes, each defined once: what it grants, when it is present
 * and why it is needed. The construct builds the policy documents from these definitions, and
 * the module README renders the same `when` and `why` next to the synthesized statements.
 */
import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { ACCOUNT_PERMISSIONS, AccountPermission, AccountSwitch, AccountValue, needsOf, whenText } from './account-permissions';
import { Condition, and, choose, equals, isSet, not, withoutLeadingSlash } from './terraform-values';

/** One statement's body; the same keys work as cdktf props and as a raw Terraform block. */
export interface StatementBody {
  /** Default Allow. */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly resources: string[];
  readonly principals?: Array<{ readonly type: string; readonly identifiers: string[] }>;
  readonly condition?: Array<{ readonly test: string; readonly variable: string; readonly values: string[] }>;
}

export interface PermissionDefinition<Context> {
  /** When the statement is present, as the README says it. */
  readonly when: string;
  readonly why: string;
  /** When the statement is present, as the construct decides it. */
  readonly present: (context: Context) => Condition;
  readonly grant: (context: Context) => StatementBody;
}

/** What the function's role statements are built from: plain values or Terraform tokens. */
export interface RoleContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly logGroupArn: string;
  readonly topicArn: string;
  readonly deadLetterQueueArn: string;
  /** A key of the caller's (kms_key_arn). */
  readonly kmsKeyArn: string | null;
  /** Whether the module creates its own key, and that key's alias. */
  readonly createsKey: Condition;
  readonly keyAlias: string;
  readonly slackParameter: string | null;
  /** Whether the module creates the state table, and its ARN (built from its name). */
  readonly createsStateTable: Condition;
  readonly stateTableArn: string;
  /** The policy's `mode` and `action`, defaults applied. */
  readonly mode: string;
  readonly action: string;
  /** The policy's `exception_tag` ('' when null), and whether `exception_approvers` is not empty while it is set. */
  readonly exceptionTag: string;
  readonly removesUnapprovedExceptions: Condition;
  /** The policy's `inspect_prefix_lists` as `"true"` or `"false"`, default applied. */
  readonly inspectPrefixLists: string;
  /** Regions whose security groups the function may change (aws:RequestedRegion): its own, member_regions and sweep_regions. */
  readonly ec2WriteRegions: string[];
  /** The organization's id; null: a single account. */
  readonly organizationId: string | null;
  readonly memberRoleName: string;
  /** The sweep queue (with an organization). */
  readonly sweepQueueArn: string;
  /** sweep_accounts = ["organization"]. */
  readonly sweepsOrganization: Condition;
  /** security_hub: findings go to Security Hub too. */
  readonly securityHub: Condition;
  /** Whether the module creates the chat topic (a Slack or Teams channel is configured), and its ARN. */
  readonly chat: Condition;
  readonly chatTopicArn: string;
}

const enforces = (c: RoleContext) => not(equals(c.mode, 'report'));

/** The account switches as the central module decides them from its policy and inputs. */
export function centralSwitches(c: RoleContext): Record<AccountSwitch, Condition> {
  return {
    enforce: enforces(c),
    restrict: equals(c.action, 'restrict'),
    inspectPrefixLists: not(equals(c.inspectPrefixLists, 'false')),
    securityHub: c.securityHub,
  };
}

/** Each account value as the central module has it from its policy, and whether it is set (granted). */
export function centralValues(c: RoleContext): Record<AccountValue, { readonly value: string; readonly set: Condition }> {
  return { exceptionTagKey: { value: c.exceptionTag, set: c.removesUnapprovedExceptions } };
}

/** A statement of ACCOUNT_PERMISSIONS in the function's own account. */
function ownAccount(definition: AccountPermission): PermissionDefinition<RoleContext> {
  return {
    when: whenText(definition, 'central'),
    why: definition.why,
    present: (c) => {
      const switches = centralSwitches(c);
      const values = centralValues(c);
      const switchedOn = definition.requires.reduce<Condition>((all, name) => and(all, switches[name]), true);
      return needsOf(definition).reduce<Condition>((all, name) => and(all, values[name].set), switchedOn);
    },
    grant: (c) => {
      const values = Object.fromEntries(Object.entries(centralValues(c)).map(([name, v]) => [name, v.value])) as Record<
        AccountValue,
        string
      >;
      return definition.grant({ partition: c.partition, accountId: c.accountId, writeRegions: c.ec2WriteRegions, values });
    },
  };
}

const OWN_ACCOUNT_PERMISSIONS = Object.fromEntries(
  Object.entries(ACCOUNT_PERMISSIONS).map(([sid, definition]) => [sid, ownAccount(definition)]),
) as Record<keyof typeof ACCOUNT_PERMISSIONS, PermissionDefinition<RoleContext>>;

const hasOrganization = (c: RoleContext) => isSet(c.organizationId);
const throughTopicAndQueue = (c: RoleContext) => ({
  test: 'StringEquals',
  variable: 'kms:ViaService',
  values: [`sns.${c.region}.amazonaws.com`, `sqs.${c.region}.amazonaws.com`],
});
const throughDynamoDb = (c: RoleContext) => ({
  test: 'StringEquals',
  variable: 'kms:ViaService',
  values: [`dynamodb.${c.region}.amazonaws.com`],
});
const STATE_TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const slackParameterArn = (c: RoleContext) =>
  `arn:${c.partition}:ssm:${c.region}:${c.accountId}:parameter/${withoutLeadingSlash(c.slackParameter ?? '')}`;

/** The statements of the function's role, in the order the policy document lists them. */
export const PERMISSIONS = {
  ...OWN_ACCOUNT_PERMISSIONS,
  WriteOwnLogs: {
    when: 'always',
    why: 'Its own log group only. The module creates the group, so there is no logs:CreateLogGroup.',
    present: () => true,
    grant: (c) => ({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${c.logGroupArn}:*`] }),
  },
  PublishNotifications: {
    when: 'always',
    why: 'The notification topic only.',
    present: () => true,
    grant: (c) => ({ actions: ['sns:Publish'], resources: [c.topicArn] }),
  },
  PublishChatNotifications: {
    when: 'chat_slack_channels or chat_teams_channels is not empty',
    why: 'The chat topic of Amazon Q Developer in chat applications only (encrypted like the notification topic, so the key statements cover it).',
    present: (c) => c.chat,
    grant: (c) => ({ actions: ['sns:Publish'], resources: [c.chatTopicArn] }),
  },
  SendFailedEventsToDeadLetterQueue: {
    when: 'always',
    why: "Lambda's on-failure destination sends an event that failed every retry to the queue with the function's own role.",
    present: () => true,
    grant: (c) => ({ actions: ['sqs:SendMessage'], resources: [c.deadLetterQueueArn] }),
  },
  UseKeyOfTopicAndQueue: {
    when: 'kms_key_arn is set',
    why: 'Publishing to a topic and sending to a queue encrypted with a customer-managed key need GenerateDataKey and Decrypt on it; only through SNS and SQS of the region.',
    present: (c) => isSet(c.kmsKeyArn),
    grant: (c) => ({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [c.kmsKeyArn ?? ''],
      condition: [throughTopicAndQueue(c)],
    }),
  },
  UseModuleKeyOfTopicAndQueue: {
    when: 'the module creates its key (create_kms_key, no kms_key_arn)',
    why: "The same for the key the module creates. Named by its alias (kms:ResourceAliases), because the key's ARN is only known after apply and the role policy must be readable in the first plan.",
    present: (c) => c.createsKey,
    grant: (c) => ({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [`arn:${c.partition}:kms:${c.region}:${c.accountId}:key/*`],
      condition: [throughTopicAndQueue(c), { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [c.keyAlias] }],
    }),
  },
  RememberExemptionsInStateTable: {
    when: 'create_state_table (the default)',
    why: 'The event path writes the violations it let stand because of who made them (BatchWriteItem) and the sweep reads them back (BatchGetItem), so it does not revoke them. That table only.',
    present: (c) => c.createsStateTable,
    grant: (c) => ({ actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], resources: [c.stateTableArn] }),
  },
  SendEachNotificationOnce: {
    when: 'create_state_table (the default)',
    why: "One notification per event: the idempotency records of Powertools' DynamoDB persistence layer (PutItem with a condition before the notification, UpdateItem after it, DeleteItem when it failed, GetItem to read a record a condition found). That table only.",
    present: (c) => c.createsStateTable,
    grant: (c) => ({
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [c.stateTableArn],
    }),
  },
  UseKeyOfStateTable: {
    when: 'create_state_table and kms_key_arn are set',
    why: 'Reading and writing a table encrypted with a customer-managed key, only through DynamoDB of the region (the actions AWS CDK grants a role that reads and writes such a table).',
    present: (c) => and(c.createsStateTable, isSet(c.kmsKeyArn)),
    grant: (c) => ({ actions: STATE_TABLE_KEY_ACTIONS, resources: [c.kmsKeyArn ?? ''], condition: [throughDynamoDb(c)] }),
  },
  UseModuleKeyOfStateTable: {
    when: 'create_state_table, and the module creates its key',
    why: 'The same for the key the module creates, named by its alias as above.',
    present: (c) => and(c.createsStateTable, c.createsKey),
    grant: (c) => ({
      actions: STATE_TABLE_KEY_ACTIONS,
      resources: [`arn:${c.partition}:kms:${c.region}:${c.accountId}:key/*`],
      condition: [throughDynamoDb(c), { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [c.keyAlias] }],
    }),
  },
  ReadSlackWebhookParameter: {
    when: 'slack_webhook_ssm_parameter is set',
    why: 'Reads the Slack webhook URL: that parameter only.',
    present: (c) => isSet(c.slackParameter),
    grant: (c) => ({ actions: ['ssm:GetParameter'], resources: [slackParameterArn(c)] }),
  },
  DecryptSlackWebhookParameter: {
    when: 'slack_webhook_ssm_parameter is set',
    why: 'Decrypts the SecureString with whichever key of the account encrypts it, only through SSM and only for that parameter (its encryption context).',
    present: (c) => isSet(c.slackParameter),
    grant: (c) => ({
      actions: ['kms:Decrypt'],
      resources: [`arn:${c.partition}:kms:${c.region}:${c.accountId}:key/*`],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${c.region}.amazonaws.com`] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [slackParameterArn(c)] },
      ],
    }),
  },
  AssumeMemberRoles: {
    when: 'organization_id is set',
    why: 'Acts in a member account through its member role (events forwarded from it, sweep targets in it): that role name only, only in accounts of the organization (aws:ResourceOrgID).',
    present: hasOrganization,
    grant: (c) => ({
      actions: ['sts:AssumeRole'],
      resources: [`arn:${c.partition}:iam::*:role/${c.memberRoleName}`],
      condition: [{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: [c.organizationId ?? ''] }],
    }),
  },
  DispatchSweepTargets: {
    when: 'organization_id is set',
    why: 'The scheduled sweep sends one message per account and region to the sweep queue.',
    present: hasOrganization,
    grant: (c) => ({ actions: ['sqs:SendMessage'], resources: [c.sweepQueueArn] }),
  },
  ConsumeSweepQueue: {
    when: 'organization_id is set',
    why: "Lambda's event source mapping reads the sweep queue with the function's role and deletes what it handled.",
    present: hasOrganization,
    grant: (c) => ({ actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], resources: [c.sweepQueueArn] }),
  },
  ListOrganizationAccounts: {
    when: 'sweep_accounts = ["organization"]',
    why: 'Lists the ACTIVE accounts to sweep. Organizations supports no resource-level permissions for ListAccounts, hence "*"; it works only in the management or a delegated-administrator account.',
    present: (c) => and(hasOrganization(c), c.sweepsOrganization),
    grant: () => ({ actions: ['organizations:ListAccounts'], resources: ['*'] }),
  },
} as const satisfies Record<string, PermissionDefinition<RoleContext>>;

export type PermissionSid = keyof typeof PERMISSIONS;

/** What the topic's resource policy is built from. */
export interface TopicContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  readonly topicArn: string;
  readonly roleArn: string;
  readonly alarmArns: string[];
}

/** A topic's publisher: one role. */
const publishFromRole = (c: { readonly topicArn: string; readonly roleArn: string }): StatementBody => ({
  actions: ['sns:Publish'],
  resources: [c.topicArn],
  principals: [{ type: 'AWS', identifiers: [c.roleArn] }],
});

const denyPublishWithoutTls = (c: { readonly topicArn: string }): StatementBody => ({
  effect: 'Deny',
  actions: ['sns:Publish'],
  resources: [c.topicArn],
  principals: [{ type: 'AWS', identifiers: ['*'] }],
  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
});

/**
 * The created topic's policy. It replaces the default, which lets every principal of the
 * account publish (a fake "all clear"), subscribe and delete: principals of the account now need
 * an IAM permission of their own.
 */
export const TOPIC_PERMISSIONS = {
  PublishFromTheFunction: {
    when: 'the module creates the topic',
    why: "The function's notifications: its role only.",
    present: () => true,
    grant: publishFromRole,
  },
  PublishModuleAlarms: {
    when: 'the module creates the topic',
    why: "CloudWatch delivers this module's alarms; no other alarm may (aws:SourceArn).",
    present: () => true,
    grant: (c) => ({
      actions: ['sns:Publish'],
      resources: [c.topicArn],
      principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
      condition: [{ test: 'ArnLike', variable: 'aws:SourceArn', values: c.alarmArns }],
    }),
  },
  PublishFromModuleRules: {
    when: 'the module creates the topic',
    why: "EventBridge rules of this account and region whose names start with the module's name (for instance one that forwards Security Hub findings) may publish; no other rule may (aws:SourceArn).",
    present: () => true,
    grant: (c) => ({
      actions: ['sns:Publish'],
      resources: [c.topicArn],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${c.partition}:events:${c.region}:${c.accountId}:rule/${c.name}-*`] },
      ],
    }),
  },
  DenyPublishWithoutTls: {
    when: 'the module creates the topic',
    why: 'Nothing is published over plain HTTP (aws:SecureTransport).',
    present: () => true,
    grant: denyPublishWithoutTls,
  },
} as const satisfies Record<string, PermissionDefinition<TopicContext>>;

/** What the chat topic's policy is built from. */
export interface ChatTopicContext {
  readonly topicArn: string;
  readonly roleArn: string;
}

/** The chat topic's policy: like the notification topic's, for the function alone. */
export const CHAT_TOPIC_PERMISSIONS = {
  PublishFromTheFunction: {
    when: 'chat_slack_channels or chat_teams_channels is not empty',
    why: "The function's chat notifications: its role only. The channel configurations subscribe with the deployer's own permissions.",
    present: () => true,
    grant: publishFromRole,
  },
  DenyPublishWithoutTls: {
    when: 'chat_slack_channels or chat_teams_channels is not empty',
    why: 'Nothing is published over plain HTTP (aws:SecureTransport).',
    present: () => true,
    grant: denyPublishWithoutTls,
  },
} as const satisfies Record<string, PermissionDefinition<ChatTopicContext>>;

/** What the policy of the key the module creates is built from. */
export interface KeyContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly logGroupArn: string;
  readonly ruleArns: string[];
}

export const KEY_PERMISSIONS = {
  AdministerWithIam: {
    when: 'the module creates its key',
    why: "The account, through IAM policies, administers and uses the key (the function's role through UseModuleKeyOfTopicAndQueue); without it, nobody could manage the key.",
    present: () => true,
    grant: (c) => ({
      actions: ['kms:*'],
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: [`arn:${c.partition}:iam::${c.accountId}:root`] }],
    }),
  },
  CloudWatchAlarmsToEncryptedTopic: {
    when: 'the module creates its key',
    why: 'CloudWatch encrypts the alarm it publishes to the topic. The AWS-managed SNS key cannot allow this, which is why alarms are lost with it.',
    present: () => true,
    grant: () => ({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
    }),
  },
  EventBridgeToEncryptedQueue: {
    when: 'the module creates its key',
    why: "EventBridge encrypts the events it sends to the dead-letter queue; only for this module's rules (aws:SourceArn).",
    present: () => true,
    grant: (c) => ({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: c.ruleArns }],
    }),
  },
  CloudWatchLogsEncryptsTheLogGroup: {
    when: 'the module creates its key',
    why: "CloudWatch Logs encrypts the function's log group, and only that group (its encryption context).",
    present: () => true,
    grant: (c) => ({
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: [`logs.${c.region}.amazonaws.com`] }],
      condition: [{ test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [c.logGroupArn] }],
    }),
  },
} as const satisfies Record<string, PermissionDefinition<KeyContext>>;

/** What the dead-letter queue's resource policy is built from. */
export interface DeadLetterQueueContext {
  readonly queueArn: string;
  /** ARNs of the module's rules (a Terraform list expression, or a plain list). */
  readonly ruleArns: string[];
}

export const DEAD_LETTER_QUEUE_PERMISSIONS = {
  EventBridgeDeliveryFailures: {
    when: 'always',
    why: "EventBridge sends an event it could not hand to the function to the queue; only this module's rules may (aws:SourceArn).",
    present: () => true,
    grant: (c) => ({
      actions: ['sqs:SendMessage'],
      resources: [c.queueArn],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: c.ruleArns }],
    }),
  },
} as const satisfies Record<string, PermissionDefinition<DeadLetterQueueContext>>;

/** What the central event bus's resource policy is built from. */
export interface EventBusContext {
  readonly busArn: string;
  readonly organizationId: string;
}

export const EVENT_BUS_PERMISSIONS = {
  OrganizationMembersPutEvents: {
    when: 'organization_id is set',
    why: 'The forwarder rules of member accounts put security-group events on the central bus; only principals of the organization may (aws:PrincipalOrgID).',
    present: () => true,
    grant: (c) => ({
      actions: ['events:PutEvents'],
      resources: [c.busArn],
      principals: [{ type: '*', identifiers: ['*'] }],
      condition: [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: [c.organizationId] }],
    }),
  },
} as const satisfies Record<string, PermissionDefinition<EventBusContext>>;

/**
 * A policy document of the given definitions: a statement whose presence is known now appears
 * (or not) as a plain block; one known only to Terraform becomes a `dynamic "statement"` block,
 * which (unlike `count`) works when the condition is only known at apply.
 */
export function policyDocument<Context>(
  scope: Construct,
  id: string,
  definitions: Readonly<Record<string, PermissionDefinition<Context>>>,
  context: Context,
): DataAwsIamPolicyDocument {
  const statements = Object.entries(definitions).map(([sid, definition]) => ({
    when: definition.present(context),
    statement: { sid, effect: 'Allow', ...definition.grant(context) },
  }));
  const fixed = statements.filter((s) => s.when === true).map((s) => s.statement);
  const deferred = statements.filter((s) => typeof s.when !== 'boolean');
  const document = new DataAwsIamPolicyDocument(scope, id, { statement: fixed });
  if (deferred.length > 0) {
    document.addOverride(
      'dynamic.statement',
      deferred.map((s) => ({ for_each: choose(s.when, [s.statement.sid], []), content: s.statement })),
    );
  }
  return document;
}
