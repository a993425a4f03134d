/**
 * The STS part of the SDK that sg-sentry uses, in a module of its own so that the member
 * credentials load it with `require` on first use (an event of the function's own account never
 * does), and import only this command, so the rest of the client is tree-shaken away.
 */
export { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
