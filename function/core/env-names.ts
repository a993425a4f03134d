/** The Lambda's environment variables, by role; modules/ sets exactly these. */
export const ENV = {
  policy: 'SENTRY_POLICY',
  topicArn: 'SENTRY_TOPIC_ARN',
  slackWebhookParam: 'SENTRY_SLACK_WEBHOOK_PARAM',
  selfRoleArn: 'SENTRY_SELF_ROLE_ARN',
  /** DynamoDB table: partition key `id` (string), TTL attribute `expiration`. */
  stateTable: 'SENTRY_STATE_TABLE',
  memberRoleName: 'SENTRY_MEMBER_ROLE_NAME',
  sweepAccounts: 'SENTRY_SWEEP_ACCOUNTS',
  sweepRegions: 'SENTRY_SWEEP_REGIONS',
  sweepQueueUrl: 'SENTRY_SWEEP_QUEUE_URL',
  /** `true`: violating and exempt findings are imported into Security Hub (ASFF) too. */
  securityHub: 'SENTRY_SECURITY_HUB',
  /** The SNS topic of Amazon Q Developer in chat applications: custom notifications for Slack and Teams. */
  chatTopicArn: 'SENTRY_CHAT_TOPIC_ARN',
} as const;
