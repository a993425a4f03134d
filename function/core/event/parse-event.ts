/**
 * From untrusted input (an EventBridge envelope, or a bare CloudTrail record as the CLI reads
 * it) to a `ParsedEvent`. Everything is parsed with `safeParse`; a bad field becomes an
 * `EventValidationError` naming its path. Events that are not ours are `ignored`, not errors.
 * The request of a watched event is read by its parser (`dispatch.ts`).
 */
import { EnvelopeMismatchError, EventValidationError } from '../errors';
import type { Principal } from '../model/principal';
import type { ParsedEvent } from './change';
import { derivedEventId } from './derived-event-id';
import { EVENT_PARSERS } from './dispatch';
import { unreadableWatchedEvent, type EnvelopeFacts } from './unreadable-event';
import { CloudTrailRecordSchema, type CloudTrailRecord } from './schemas/cloudtrail-record.schema';
import { EventBridgeEnvelopeSchema } from './schemas/eventbridge-envelope.schema';
import { SqsEventSchema } from './schemas/sqs-event.schema';
import { CLOUDTRAIL_DETAIL_TYPE, EC2_EVENT_SOURCE, isWatchedEventName, SCHEDULED_DETAIL_TYPE, SCHEDULED_SOURCE } from './watched-events';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseEvent(input: unknown): ParsedEvent {
  if (!isObject(input)) throw new EventValidationError([`(root): expected an object, received ${describe(input)}`]);
  if (isSqsBatch(input)) return parseSqsBatch(input);
  if ('detail-type' in input || 'detail' in input || 'source' in input) return parseEnvelope(input);
  if ('eventName' in input || 'eventSource' in input) return parseRecord(input, 'record', {});
  throw new EventValidationError([
    '(root): neither an EventBridge event (detail-type, source, detail) nor a CloudTrail record (eventName)',
  ]);
}

/** Lambda's SQS event (the sweep queue): `Records` whose `eventSource` is `aws:sqs`. */
function isSqsBatch(input: Record<string, unknown>): boolean {
  const records = input.Records;
  return Array.isArray(records) && records.some((r) => isObject(r) && r.eventSource === 'aws:sqs');
}

function parseSqsBatch(input: Record<string, unknown>): ParsedEvent {
  const parsed = SqsEventSchema.safeParse(input);
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error, '');
  return { kind: 'sweep-jobs', records: parsed.data.Records.map(({ messageId, body }) => ({ messageId, body })) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function parseEnvelope(input: Record<string, unknown>): ParsedEvent {
  const parsed = EventBridgeEnvelopeSchema.safeParse(input);
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error, '');
  const envelope = parsed.data;
  if (envelope.source === SCHEDULED_SOURCE && envelope['detail-type'] === SCHEDULED_DETAIL_TYPE) {
    return {
      kind: 'sweep',
      sweep: { eventId: envelope.id, account: envelope.account, region: envelope.region, time: envelope.time },
    };
  }
  if (envelope['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) {
    return {
      kind: 'ignored',
      reason: `not a CloudTrail API call (detail-type ${JSON.stringify(envelope['detail-type'])}, source ${JSON.stringify(envelope.source)})`,
      eventId: envelope.id,
    };
  }
  if (!isObject(envelope.detail)) {
    throw new EventValidationError([
      `detail: expected the CloudTrail record as an object, received ${envelope.detail === undefined ? 'nothing' : describe(envelope.detail)}`,
    ]);
  }
  return parseRecord(envelope.detail, 'detail', { id: envelope.id, account: envelope.account, region: envelope.region });
}

/**
 * A watched event that cannot be read is not dropped: it comes back `unreadable`, with what can
 * still be read of it (`unreadable-event.ts`). Anything else that cannot be read is an error.
 */
function parseRecord(input: Record<string, unknown>, prefix: string, envelope: EnvelopeFacts): ParsedEvent {
  try {
    return readRecord(input, prefix, envelope);
  } catch (error) {
    if (!(error instanceof EventValidationError) || error instanceof EnvelopeMismatchError) throw error;
    const unreadable = unreadableWatchedEvent(input, prefix, envelope, error);
    if (unreadable === undefined) throw error;
    return unreadable;
  }
}

function readRecord(input: Record<string, unknown>, prefix: string, envelope: EnvelopeFacts): ParsedEvent {
  const parsed = CloudTrailRecordSchema.safeParse(input);
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error, prefix);
  const record = parsed.data;
  const eventId = record.eventID ?? derivedEventId(input);
  const base = { eventId, eventName: record.eventName };
  if (record.eventSource !== EC2_EVENT_SOURCE) {
    return { kind: 'ignored', reason: `event source ${record.eventSource} is not ${EC2_EVENT_SOURCE}`, ...base };
  }
  if (!isWatchedEventName(record.eventName)) {
    return { kind: 'ignored', reason: `${record.eventName} does not add or change security-group rules`, ...base };
  }
  if (record.errorCode !== undefined) {
    return { kind: 'ignored', reason: `the call failed (${record.errorCode}), so nothing was changed`, ...base };
  }
  checkEnvelope(record, prefix, envelope);
  const region = record.awsRegion ?? envelope.region;
  if (region === undefined) throw new EventValidationError([`${prefix}.awsRegion: missing, and the envelope names no region`]);
  const common = {
    eventId,
    ...(record.eventID === undefined ? { eventIdDerived: true } : {}),
    eventName: record.eventName,
    eventTime: record.eventTime,
    account: record.recipientAccountId ?? envelope.account ?? record.userIdentity?.accountId ?? undefined,
    region,
    principal: principalOf(record),
  };
  return EVENT_PARSERS[record.eventName]({ record, path: prefix, common });
}

/**
 * EventBridge forwards an event across accounts and regions unchanged: `account` and `region`
 * are the record's own. An event that says otherwise was not delivered by EventBridge as it
 * was recorded, and acting on either value could touch the wrong account.
 */
function checkEnvelope(record: CloudTrailRecord, prefix: string, envelope: EnvelopeFacts): void {
  const problems: string[] = [];
  if (envelope.account !== undefined && record.recipientAccountId !== undefined && envelope.account !== record.recipientAccountId) {
    problems.push(
      `account: ${JSON.stringify(envelope.account)} differs from ${prefix}.recipientAccountId ${JSON.stringify(record.recipientAccountId)}`,
    );
  }
  if (envelope.region !== undefined && record.awsRegion !== undefined && envelope.region !== record.awsRegion) {
    problems.push(`region: ${JSON.stringify(envelope.region)} differs from ${prefix}.awsRegion ${JSON.stringify(record.awsRegion)}`);
  }
  if (problems.length > 0) throw new EnvelopeMismatchError(problems);
}

function principalOf(record: CloudTrailRecord): Principal {
  const identity = record.userIdentity ?? undefined;
  return {
    arn: identity?.arn,
    type: identity?.type,
    accountId: identity?.accountId,
    issuerArn: identity?.sessionContext?.sessionIssuer?.arn,
    invokedBy: identity?.invokedBy,
    sourceIp: record.sourceIPAddress,
    userAgent: record.userAgent,
  };
}
