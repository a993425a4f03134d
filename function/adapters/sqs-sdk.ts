/**
 * The SQS part of the SDK that sg-sentry uses (the sweep queue's dispatch), in a module of its
 * own so that it is loaded with `require` on first use and the rest of the client is tree-shaken
 * away.
 */
export { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
