/**
 * A watched event that could not be read (a field the parser rejects, a missing or null
 * request or response, an unexpected record shape) is never dropped: what can still be read
 * from the raw record (the groups it names, who made it, where) lets the function judge those
 * groups' current rules instead, or say that it could not check the event at all.
 */
import { EnvelopeMismatchError, type EventValidationError } from '../errors';
import { lowerId } from '../model/ids';
import type { Principal } from '../model/principal';
import type { ParsedEvent, UnreadableEvent } from './change';
import { AWS_REGION } from './schemas/cloudtrail-record.schema';
import { EC2_EVENT_SOURCE, isWatchedEventName } from './watched-events';

const GROUP_ID = /^sg-[0-9a-f]{8,17}$/i;

export interface EnvelopeFacts {
  readonly id?: string;
  readonly account?: string;
  readonly region?: string;
}

function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function text(value: unknown, ...path: string[]): string | undefined {
  const found = field(value, ...path);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function groupId(value: unknown): string[] {
  return typeof value === 'string' && GROUP_ID.test(value.trim()) ? [lowerId(value)] : [];
}

/**
 * The groups a record still names, as far as they can be read: the request's `groupId`, the
 * Modify request's `GroupId`, each created rule's `groupId`, a new group's id.
 */
export function groupsNamedBy(record: Record<string, unknown>): string[] {
  const created = field(record, 'responseElements', 'securityGroupRuleSet', 'items');
  const ids = [
    ...groupId(field(record, 'requestParameters', 'groupId')),
    ...groupId(field(record, 'requestParameters', 'ModifySecurityGroupRulesRequest', 'GroupId')),
    ...(Array.isArray(created) ? created.flatMap((item) => groupId(field(item, 'groupId'))) : []),
    ...groupId(field(record, 'responseElements', 'groupId')),
  ];
  return [...new Set(ids)];
}

function principalOf(record: Record<string, unknown>): Principal {
  const identity = field(record, 'userIdentity');
  const found: Record<string, string | undefined> = {
    arn: text(identity, 'arn'),
    type: text(identity, 'type'),
    accountId: text(identity, 'accountId'),
    issuerArn: text(identity, 'sessionContext', 'sessionIssuer', 'arn'),
    invokedBy: text(identity, 'invokedBy'),
    sourceIp: text(record, 'sourceIPAddress'),
    userAgent: text(record, 'userAgent'),
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined));
}

/**
 * The unreadable form of a raw record that `error` stopped, when the record is one sg-sentry
 * watches (EC2, a watched name, a call that succeeded); undefined when it is not, or when it
 * cannot even say that. An envelope that contradicts the record stays an error: nothing it
 * says can pick the account or region to act in.
 */
export function unreadableWatchedEvent(
  record: Record<string, unknown>,
  prefix: string,
  envelope: EnvelopeFacts,
  error: EventValidationError,
): ParsedEvent | undefined {
  const eventName = text(record, 'eventName');
  if (text(record, 'eventSource') !== EC2_EVENT_SOURCE || eventName === undefined || !isWatchedEventName(eventName)) return undefined;
  const errorCode = field(record, 'errorCode');
  if (typeof errorCode === 'string')
    return { kind: 'ignored', reason: `the call failed (${errorCode}), so nothing was changed`, eventName };
  const recordAccount = text(record, 'recipientAccountId');
  const recordRegion = text(record, 'awsRegion');
  const mismatches: string[] = [];
  if (envelope.account !== undefined && recordAccount !== undefined && envelope.account !== recordAccount) {
    mismatches.push(
      `account: ${JSON.stringify(envelope.account)} differs from ${prefix}.recipientAccountId ${JSON.stringify(recordAccount)}`,
    );
  }
  if (envelope.region !== undefined && recordRegion !== undefined && envelope.region !== recordRegion) {
    mismatches.push(`region: ${JSON.stringify(envelope.region)} differs from ${prefix}.awsRegion ${JSON.stringify(recordRegion)}`);
  }
  if (mismatches.length > 0) throw new EnvelopeMismatchError(mismatches);
  const region = recordRegion !== undefined && AWS_REGION.test(recordRegion) ? recordRegion : envelope.region;
  const account = recordAccount ?? envelope.account ?? text(record, 'userIdentity', 'accountId');
  const eventTime = text(record, 'eventTime');
  const unreadable: UnreadableEvent = {
    eventId: text(record, 'eventID') ?? envelope.id ?? 'unknown',
    eventName,
    ...(eventTime !== undefined ? { eventTime } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(region !== undefined ? { region } : {}),
    principal: principalOf(record),
    groupIds: groupsNamedBy(record),
    problems: error.problems,
  };
  return { kind: 'unreadable', unreadable };
}
