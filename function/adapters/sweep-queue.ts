/**
 * The sweep queue over SQS: one message per target, body `{"account": "…", "region": "…"}`,
 * ten to a SendMessageBatch call (SQS's maximum). An entry SQS refuses for a reason on its side
 * is sent once more; what still fails is answered, with SQS's reason. The SDK module is loaded on
 * first use: events never need it.
 */
import type { SQSClient, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SweepQueuePort, Target } from '../core/ports';
import { toEc2CallError } from './aws-error';

type Sdk = typeof import('./sqs-sdk');
/** Loaded on first use, not at the top: see sqs-sdk.ts. */
const sdk = (): Sdk => require('./sqs-sdk') as Sdk;

/** SQS takes at most ten entries in one SendMessageBatch. */
export const SEND_BATCH_LIMIT = 10;

type Failure = { readonly target: Target; readonly error: string };

export class SqsSweepQueue implements SweepQueuePort {
  constructor(
    private readonly client: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  static forQueue(queueUrl: string): SqsSweepQueue {
    let client: Promise<SQSClient> | undefined;
    return new SqsSweepQueue(() => (client ??= Promise.resolve(new (sdk().SQSClient)({}))), queueUrl);
  }

  async dispatch(targets: readonly Target[]): Promise<{ failed: Failure[] }> {
    const failed: Failure[] = [];
    for (let start = 0; start < targets.length; start += SEND_BATCH_LIMIT) {
      failed.push(...(await this.sendBatch(targets.slice(start, start + SEND_BATCH_LIMIT))));
    }
    return { failed };
  }

  /** One batch, and one more try for the entries SQS refused on its side (not the sender's fault). */
  private async sendBatch(targets: readonly Target[]): Promise<Failure[]> {
    const entries = targets.map(
      (target, index): SendMessageBatchRequestEntry => ({
        Id: String(index),
        MessageBody: JSON.stringify({ account: target.account, region: target.region }),
      }),
    );
    const first = await this.send(entries);
    const again = first.filter((f) => !f.senderFault);
    const second = again.length > 0 ? await this.send(entries.filter((e) => again.some((f) => f.id === e.Id))) : [];
    return [...first.filter((f) => f.senderFault), ...second].map((f) => ({ target: targets[Number(f.id)]!, error: f.error }));
  }

  /** The entries SQS did not take; a call that failed as a whole (after the SDK's retries) fails them all. */
  private async send(
    entries: readonly SendMessageBatchRequestEntry[],
  ): Promise<Array<{ id: string; error: string; senderFault: boolean }>> {
    try {
      const client = await this.client();
      const output = await client.send(new (sdk().SendMessageBatchCommand)({ QueueUrl: this.queueUrl, Entries: [...entries] }));
      return (output.Failed ?? []).map((f) => ({
        id: f.Id ?? '',
        error: `${f.Code ?? 'Failed'}: ${f.Message ?? 'SQS did not accept the message'}`,
        senderFault: f.SenderFault === true,
      }));
    } catch (error) {
      const failure = toEc2CallError(error);
      return entries.map((e) => ({ id: e.Id ?? '', error: failure.message, senderFault: !failure.retryable }));
    }
  }
}
