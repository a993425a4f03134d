/**
 * The CloudTrail event names sg-sentry acts on. The handler's dispatch (`dispatch.ts`) and the
 * EventBridge pattern in modules/ both import this list, so the two can never disagree, and a
 * name cannot be added here without a parser.
 */

/**
 * Tag changes matter only on security groups and only for the exception and exclusion tags:
 * the EventBridge pattern narrows these to calls naming a security group.
 */
export const TAG_EVENT_NAMES = ['CreateTags', 'DeleteTags'] as const;

export const WATCHED_EVENT_NAMES = [
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'ModifySecurityGroupRules',
  'CreateSecurityGroup',
  ...TAG_EVENT_NAMES,
  // A rule can take its sources from a customer-managed prefix list: editing the list opens every group that references it.
  'ModifyManagedPrefixList',
  'RestoreManagedPrefixListVersion',
] as const;

export type TagEventName = (typeof TAG_EVENT_NAMES)[number];

export type WatchedEventName = (typeof WATCHED_EVENT_NAMES)[number];

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const EC2_EVENT_SOURCE = 'ec2.amazonaws.com';
export const EVENTBRIDGE_EC2_SOURCE = 'aws.ec2';
export const SCHEDULED_DETAIL_TYPE = 'Scheduled Event';
export const SCHEDULED_SOURCE = 'aws.events';

export function isWatchedEventName(name: string): name is WatchedEventName {
  return (WATCHED_EVENT_NAMES as readonly string[]).includes(name);
}
