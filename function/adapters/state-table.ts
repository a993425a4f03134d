/**
 * The state table over DynamoDB (`SENTRY_STATE_TABLE`: partition key `id`, TTL attribute
 * `expiration`). Remembered exemptions are items `exempt#<account>#<region>#<rule id>`, written
 * with BatchWriteItem (25 a call) and read with BatchGetItem (100 keys a call). What DynamoDB
 * leaves unprocessed under load is sent again a few times, then reported as a retryable
 * failure. The SDK is loaded on first use, so a function that never reaches the table never
 * loads it, and an event pays for it only after its revoke.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateTableError } from '../core/errors';
import type { ExemptionRecord, RuleLocation, StatePort } from '../core/ports';
import { classifyAwsError } from './aws-error';

type Item = Record<string, AttributeValue>;
type Sdk = typeof import('./dynamodb-sdk');

/** DynamoDB's limits per call. */
export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;
/** Sends of the same batch (the first and its re-sends of unprocessed keys or items). */
const ATTEMPTS = 4;
const BACKOFF_MS = 50;

export function exemptionKey(rule: RuleLocation): string {
  return `exempt#${rule.account}#${rule.region}#${rule.ruleId}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function optionalString(name: string, value: string | undefined): Item {
  return value === undefined ? {} : { [name]: { S: value } };
}

export function itemOfRecord(record: ExemptionRecord): Item {
  return {
    id: { S: exemptionKey(record) },
    expiration: { N: String(Math.floor(record.expiration)) },
    kind: { S: 'exempt' },
    account: { S: record.account },
    region: { S: record.region },
    rule_id: { S: record.ruleId },
    ...optionalString('group_id', record.groupId),
    rule: { S: record.rule },
    rule_text: { S: record.ruleText },
    ...optionalString('principal', record.principal.arn),
    ...optionalString('issuer_arn', record.principal.issuerArn),
    ...optionalString('invoked_by', record.principal.invokedBy),
    reason: { S: record.reason },
    time: { S: record.time },
    ...optionalString('event_id', record.eventId),
  };
}

/** An item back as a record; undefined for an item that is not a complete exemption record. */
export function recordOfItem(item: Item): ExemptionRecord | undefined {
  const text = (name: string) => item[name]?.S;
  const account = text('account');
  const region = text('region');
  const ruleId = text('rule_id');
  const rule = text('rule');
  const ruleText = text('rule_text') ?? rule;
  const reason = text('reason');
  const time = text('time');
  const expiration = Number(item['expiration']?.N);
  if (
    account === undefined ||
    region === undefined ||
    ruleId === undefined ||
    rule === undefined ||
    ruleText === undefined ||
    reason === undefined ||
    time === undefined
  ) {
    return undefined;
  }
  if (!Number.isFinite(expiration)) return undefined;
  const groupId = text('group_id');
  const eventId = text('event_id');
  const arn = text('principal');
  const issuerArn = text('issuer_arn');
  const invokedBy = text('invoked_by');
  return {
    account,
    region,
    ruleId,
    ...(groupId !== undefined ? { groupId } : {}),
    rule,
    ruleText,
    principal: {
      ...(arn !== undefined ? { arn } : {}),
      ...(issuerArn !== undefined ? { issuerArn } : {}),
      ...(invokedBy !== undefined ? { invokedBy } : {}),
    },
    reason,
    time,
    ...(eventId !== undefined ? { eventId } : {}),
    expiration,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class StateTable implements StatePort {
  private sdkModule: Sdk | undefined;
  private dynamodb: DynamoDBClient | undefined;

  constructor(
    private readonly tableName: string,
    client?: DynamoDBClient,
    private readonly backoffMs = BACKOFF_MS,
  ) {
    this.dynamodb = client;
  }

  async recordExemptions(records: readonly ExemptionRecord[]): Promise<void> {
    // One request may not name a key twice; the last record of a rule wins.
    const byKey = new Map(records.map((record) => [exemptionKey(record), itemOfRecord(record)]));
    for (const batch of chunks([...byKey.values()], BATCH_WRITE_LIMIT)) {
      let pending: Item[] = batch;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > ATTEMPTS)
          throw new StateTableError(
            `${pending.length} exemption record(s) were not written to ${this.tableName}: DynamoDB left them unprocessed ${ATTEMPTS} times`,
            true,
          );
        if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
        const { BatchWriteItemCommand } = this.sdk();
        const output = await this.send('BatchWriteItem', (client) =>
          client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } })),
        );
        pending = (output.UnprocessedItems?.[this.tableName] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [request.PutRequest.Item] : [],
        );
      }
    }
  }

  async exemptionsOf(rules: readonly RuleLocation[]): Promise<readonly ExemptionRecord[]> {
    // BatchGetItem rejects a request that names a key twice.
    const keys = [...new Set(rules.map(exemptionKey))];
    const found: ExemptionRecord[] = [];
    for (const batch of chunks(keys, BATCH_GET_LIMIT)) {
      let pending: Item[] = batch.map((id) => ({ id: { S: id } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > ATTEMPTS)
          throw new StateTableError(
            `${pending.length} key(s) of ${this.tableName} could not be read: DynamoDB left them unprocessed ${ATTEMPTS} times`,
            true,
          );
        if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
        const { BatchGetItemCommand } = this.sdk();
        const output = await this.send('BatchGetItem', (client) =>
          client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } })),
        );
        for (const item of output.Responses?.[this.tableName] ?? []) {
          const record = recordOfItem(item);
          if (record !== undefined) found.push(record);
        }
        pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  private sdk(): Sdk {
    // Loaded here, not at the top: see dynamodb-sdk.ts.
    this.sdkModule ??= require('./dynamodb-sdk') as Sdk;
    return this.sdkModule;
  }

  private async send<T>(operation: string, call: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    this.dynamodb ??= new (this.sdk().DynamoDBClient)({});
    try {
      return await call(this.dynamodb);
    } catch (error) {
      const failure = classifyAwsError(error);
      throw new StateTableError(`${operation} on ${this.tableName} failed: ${failure.code}: ${failure.message}`, failure.retryable, {
        cause: error,
      });
    }
  }
}
