/**
 * The SNS part of the SDK that sg-sentry uses, in a module of its own so that the notifier
 * loads it with `require` on first publish: the bundle evaluates it after the revoke, never
 * before it.
 */
export { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
