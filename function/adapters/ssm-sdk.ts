/**
 * The SSM part of the SDK that sg-sentry uses (the Slack webhook URL), in a module of its own so
 * that it is loaded with `require` on the first read, after the revoke.
 */
export { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
