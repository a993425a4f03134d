/**
 * Every IAM statement the module writes, each defined once: what it grants, when it is present
 * and why it is needed. The construct builds the policy documents from these definitions, and
 * the module README renders the same `when` and `why` next to the synthesized statements.
 */
import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { Condition, and, choose, equals, isSet, not, withoutLeadingSlash } from './terraform-values';

/** One statement's body; the same keys work as cdktf props and as a raw Terraform block. */
export interface StatementBody {
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
  readonly kmsKeyArn: string | null;
  readonly slackParameter: string | null;
  /** The policy's `mode` and `action`, defaults applied. */
  readonly mode: string;
  readonly action: string;
}

const enforces = (c: RoleContext) => not(equals(c.mode, 'report'));
const securityGroupArns = (c: RoleContext) => [
  `arn:${c.partition}:ec2:*:${c.accountId}:security-group/*`,
  `arn:${c.partition}:ec2:*:${c.accountId}:security-group-rule/*`,
];
const slackParameterArn = (c: RoleContext) =>
  `arn:${c.partition}:ssm:${c.region}:${c.accountId}:parameter/${withoutLeadingSlash(c.slackParameter ?? '')}`;

/** The statements of the function's role, in the order the policy document lists them. */
export const PERMISSIONS = {
  ReadSecurityGroups: {
    when: 'always',
    why: 'DescribeSecurityGroupRules tells the direction of a rule changed by ModifySecurityGroupRules and lists the rules the sweep checks; DescribeSecurityGroups reads group names, VPC and tags (exclude_tags). EC2 supports no resource-level permissions for Describe calls, hence "*".',
    present: () => true,
    grant: () => ({ actions: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'], resources: ['*'] }),
  },
  RevokeSecurityGroupRules: {
    when: 'the policy\'s mode is not "report"',
    why: 'Revokes the offending rules. Security groups and rules of its own account, any region, because events forwarded from other regions are handled in their region.',
    present: enforces,
    grant: (c) => ({ actions: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'], resources: securityGroupArns(c) }),
  },
  AuthorizeRestrictedReplacementRules: {
    when: 'the policy\'s action is "restrict" (and its mode is not "report")',
    why: 'The restrict action adds the offending rule back from each restrict_to CIDR. Not granted otherwise: a function that can open security groups is worth attacking.',
    present: (c) => and(enforces(c), equals(c.action, 'restrict')),
    grant: (c) => ({ actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'], resources: securityGroupArns(c) }),
  },
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
  SendFailedEventsToDeadLetterQueue: {
    when: 'always',
    why: 'Lambda\'s on-failure destination sends an event that failed every retry to the queue with the function\'s own role.',
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
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`sns.${c.region}.amazonaws.com`, `sqs.${c.region}.amazonaws.com`] },
      ],
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
} as const satisfies Record<string, PermissionDefinition<RoleContext>>;

export type PermissionSid = keyof typeof PERMISSIONS;

/** What the dead-letter queue's resource policy is built from. */
export interface DeadLetterQueueContext {
  readonly queueArn: string;
  /** ARNs of the module's rules (a Terraform list expression, or a plain list). */
  readonly ruleArns: string[];
}

export const DEAD_LETTER_QUEUE_PERMISSIONS = {
  EventBridgeDeliveryFailures: {
    when: 'always',
    why: 'EventBridge sends an event it could not hand to the function to the queue; only this module\'s rules may (aws:SourceArn).',
    present: () => true,
    grant: (c) => ({
      actions: ['sqs:SendMessage'],
      resources: [c.queueArn],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: c.ruleArns }],
    }),
  },
} as const satisfies Record<string, PermissionDefinition<DeadLetterQueueContext>>;

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
  options: { readonly effect?: boolean } = {},
): DataAwsIamPolicyDocument {
  const effect = options.effect === false ? {} : { effect: 'Allow' };
  const statements = Object.entries(definitions).map(([sid, definition]) => ({
    when: definition.present(context),
    statement: { sid, ...effect, ...definition.grant(context) },
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
