/**
 * The EventBridge pattern of the module's rule: the watched EC2 calls as CloudTrail records them,
 * failed calls (those with an `errorCode`) excluded. The names come from the same constant the
 * handler dispatches on, so the rule and the function can never disagree.
 *
 * Tag calls (CreateTags, DeleteTags) are matched only when a resource they name is a security
 * group: an account tags instances and volumes far more often, and those must not invoke the
 * function. Which tag keys matter depends on the policy, which may be known only at apply, so
 * the function filters the keys itself (and ignores the rest with a log line).
 */
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EC2_EVENT_SOURCE,
  EVENTBRIDGE_EC2_SOURCE,
  TAG_EVENT_NAMES,
  WATCHED_EVENT_NAMES,
} from '../function/core/event/watched-events';

const TAG_EVENTS: readonly string[] = TAG_EVENT_NAMES;

export function securityGroupChangeEventPattern() {
  return {
    source: [EVENTBRIDGE_EC2_SOURCE],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [EC2_EVENT_SOURCE],
      errorCode: [{ exists: false }],
      $or: [
        { eventName: WATCHED_EVENT_NAMES.filter((name) => !TAG_EVENTS.includes(name)) },
        { eventName: [...TAG_EVENT_NAMES], requestParameters: { resourcesSet: { items: { resourceId: [{ prefix: 'sg-' }] } } } },
      ],
    },
  };
}
