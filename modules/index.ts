/**
 * The sg-sentry library for cdktf apps: the construct, its props, and what a stack around it
 * may want (the function archive, the event pattern, the IAM statements with their reasons).
 */
export { SecurityGroupSentry, MAXIMUM_EVENT_AGE_S, EVENTBRIDGE_MAXIMUM_RETRY_ATTEMPTS } from './security-group-sentry';
export type { SecurityGroupSentryProps } from './inputs';
export { INPUTS } from './inputs';
export { bundledFunctionFile, functionArchiveAsset, functionArchiveBytes } from './function-archive';
export { securityGroupChangeEventPattern } from './event-pattern';
export { DEAD_LETTER_QUEUE_PERMISSIONS, KEY_PERMISSIONS, PERMISSIONS, TOPIC_PERMISSIONS } from './permissions';
export type { PermissionDefinition, StatementBody } from './permissions';
export { AWS_PROVIDER_VERSION, REQUIRED_TERRAFORM_VERSION } from './requirements';
