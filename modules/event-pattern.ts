/**
 * The EventBridge pattern of the module's rule: the watched EC2 calls as CloudTrail records them,
 * failed calls (those with an `errorCode`) excluded. The names come from the same constant the
 * handler dispatches on, so the rule and the function can never disagree.
 */
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EC2_EVENT_SOURCE,
  EVENTBRIDGE_EC2_SOURCE,
  WATCHED_EVENT_NAMES,
} from '../function/core/event/watched-events';

export function securityGroupChangeEventPattern() {
  return {
    source: [EVENTBRIDGE_EC2_SOURCE],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [EC2_EVENT_SOURCE],
      eventName: [...WATCHED_EVENT_NAMES],
      errorCode: [{ exists: false }],
    },
  };
}
