/**
 * The CloudTrail event names sg-sentry acts on. The handler's dispatch (`dispatch.ts`) and the
 * EventBridge pattern in modules/ both import this list, so the two can never disagree, and a
 * name cannot be added here without a parser.
 */
export const WATCHED_EVENT_NAMES = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'ModifySecurityGroupRules', 'CreateSecurityGroup'] as const;

export type WatchedEventName = (typeof WATCHED_EVENT_NAMES)[number];

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const EC2_EVENT_SOURCE = 'ec2.amazonaws.com';
export const EVENTBRIDGE_EC2_SOURCE = 'aws.ec2';
export const SCHEDULED_DETAIL_TYPE = 'Scheduled Event';
export const SCHEDULED_SOURCE = 'aws.events';

export function isWatchedEventName(name: string): name is WatchedEventName {
  return (WATCHED_EVENT_NAMES as readonly string[]).includes(name);
}
