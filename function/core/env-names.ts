/** The Lambda's environment variables, by role; modules/ sets exactly these. */
export const ENV = {
  policy: 'SENTRY_POLICY',
  topicArn: 'SENTRY_TOPIC_ARN',
  slackWebhookParam: 'SENTRY_SLACK_WEBHOOK_PARAM',
  selfRoleArn: 'SENTRY_SELF_ROLE_ARN',
  /** DynamoDB table: partition key `id` (string), TTL attribute `expiration`. */
  stateTable: 'SENTRY_STATE_TABLE',
} as const;
