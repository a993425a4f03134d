/**
 * One notification per event over the state table, with Powertools' idempotency utility
 * (`makeIdempotent` and its DynamoDB persistence layer) rather than a protocol written by hand:
 * a conditional put marks the key in progress, the notification is sent, the record is marked
 * complete (expiring after 48 hours); a notification that throws deletes the record, so the
 * retry sends it. The records use the persistence layer's default attribute names, `id` and
 * `expiration`, the state table's key and TTL attribute; their ids are
 * `sg-sentry-notification#<hash of the key>`, apart from the exemption records.
 *
 * The utility is loaded on first use (see idempotency-sdk.ts), after the revoke.
 */
import type { LambdaContextLike } from '../handler';
import { NotificationInProgressError } from '../core/errors';
import type { NotifyOncePort, OnceOutcome } from '../core/ports';

type Sdk = typeof import('./idempotency-sdk');
type Gate = (payload: { readonly key: string }, send: () => Promise<void>) => Promise<unknown>;

/** How long a completed record keeps a redelivery from notifying again. */
export const NOTIFICATION_RECORD_SECONDS = 48 * 3600;
const KEY_PREFIX = 'sg-sentry-notification';

function messageOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

export class NotifyOnceTable implements NotifyOncePort {
  private sdkModule: Sdk | undefined;
  private gate: Gate | undefined;
  private config: InstanceType<Sdk['IdempotencyConfig']> | undefined;
  private context: LambdaContextLike | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: Readonly<Record<string, unknown>> = {},
  ) {}

  /**
   * The invocation's context: an in-progress record then expires when the invocation would have
   * timed out, so a delivery that died mid-notification does not block its retries for 48 hours.
   */
  bind(context: LambdaContextLike): void {
    this.context = context;
    if (this.config !== undefined) this.registerContext(this.config);
  }

  async once(key: string, send: () => Promise<void>): Promise<OnceOutcome> {
    let gate: Gate;
    let sdk: Sdk;
    try {
      sdk = this.sdk();
      gate = this.gateOf(sdk);
    } catch (error) {
      await send();
      return { outcome: 'unrecorded', reason: `the idempotency utility could not start: ${messageOf(error)}` };
    }
    let sent = false;
    let sendFailure: { error: unknown } | undefined;
    try {
      await gate({ key }, async () => {
        try {
          await send();
          sent = true;
        } catch (error) {
          sendFailure = { error };
          throw error;
        }
      });
      return sent ? { outcome: 'sent' } : { outcome: 'duplicate' };
    } catch (error) {
      // The notification's own failure, whatever the table did afterwards: the caller reports it.
      if (sendFailure !== undefined) throw sendFailure.error;
      if (error instanceof sdk.IdempotencyAlreadyInProgressError) {
        throw new NotificationInProgressError(`another delivery of ${key} is sending its notification`, { cause: error });
      }
      // The table could not be used. Before sending: send anyway. After sending (the completion
      // was not saved): nothing more to do, a redelivery may notify again.
      if (!sent) await send();
      return { outcome: 'unrecorded', reason: `${this.tableName}: ${messageOf(error)}` };
    }
  }

  private sdk(): Sdk {
    // Loaded here, not at the top: see idempotency-sdk.ts.
    this.sdkModule ??= require('./idempotency-sdk') as Sdk;
    return this.sdkModule;
  }

  private gateOf(sdk: Sdk): Gate {
    if (this.gate !== undefined) return this.gate;
    const config = new sdk.IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: NOTIFICATION_RECORD_SECONDS,
      throwOnNoIdempotencyKey: true,
    });
    this.registerContext(config);
    this.config = config;
    const persistenceStore = new sdk.DynamoDBPersistenceLayer({ tableName: this.tableName, clientConfig: this.clientConfig });
    this.gate = sdk.makeIdempotent(
      async (_payload: { readonly key: string }, send: () => Promise<void>) => {
        await send();
        return { notified: true };
      },
      { persistenceStore, config, keyPrefix: KEY_PREFIX },
    );
    return this.gate;
  }

  private registerContext(config: InstanceType<Sdk['IdempotencyConfig']>): void {
    const remaining = this.context?.getRemainingTimeInMillis;
    if (remaining === undefined) return;
    const context = this.context;
    config.registerLambdaContext({ getRemainingTimeInMillis: () => remaining.call(context) } as never);
  }
}
