/**
 * Every statement the function's role can hold: when it is present and why it is needed. The
 * module README renders this next to the synthesized statements.
 */
export const PERMISSIONS = {
  ReadSecurityGroups: {
    when: 'always',
    why: 'DescribeSecurityGroupRules tells the direction of a rule changed by ModifySecurityGroupRules and lists the rules the sweep checks; DescribeSecurityGroups reads group names, VPC and tags (exclude_tags). EC2 supports no resource-level permissions for Describe calls, hence "*".',
  },
  RevokeSecurityGroupRules: {
    when: 'the policy\'s mode is not "report"',
    why: 'Revokes the offending rules. Security groups and rules of its own account, any region, because events forwarded from other regions are handled in their region.',
  },
  AuthorizeRestrictedReplacementRules: {
    when: 'the policy\'s action is "restrict" (and its mode is not "report")',
    why: 'The restrict action adds the offending rule back from each restrict_to CIDR. Not granted otherwise: a function that can open security groups is worth attacking.',
  },
  WriteOwnLogs: {
    when: 'always',
    why: 'Its own log group only. The module creates the group, so there is no logs:CreateLogGroup.',
  },
  PublishNotifications: { when: 'always', why: 'The notification topic only.' },
  SendFailedEventsToDeadLetterQueue: {
    when: 'always',
    why: 'Lambda\'s on-failure destination sends an event that failed every retry to the queue with the function\'s own role.',
  },
  UseKeyOfTopicAndQueue: {
    when: 'kms_key_arn is set',
    why: 'Publishing to a topic and sending to a queue encrypted with a customer-managed key need GenerateDataKey and Decrypt on it; only through SNS and SQS of the region.',
  },
  ReadSlackWebhookParameter: { when: 'slack_webhook_ssm_parameter is set', why: 'Reads the Slack webhook URL: that parameter only.' },
  DecryptSlackWebhookParameter: {
    when: 'slack_webhook_ssm_parameter is set',
    why: 'Decrypts the SecureString with whichever key of the account encrypts it, only through SSM and only for that parameter (its encryption context).',
  },
} as const;

export type PermissionSid = keyof typeof PERMISSIONS;
