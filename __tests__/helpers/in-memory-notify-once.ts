/**
 * The one-notification-per-event gate in memory, with the protocol the state table adapter gets
 * from Powertools: a key is taken (in progress) before sending, completed after, released when
 * sending throws; a key in progress refuses others; `unreachable` stands for a table that cannot
 * be reached (the notification is sent, unrecorded).
 */
import { NotificationInProgressError } from '../../function/core/errors';
import type { NotifyOncePort, OnceOutcome } from '../../function/core/ports';

export class InMemoryNotifyOnce implements NotifyOncePort {
  readonly records = new Map<string, 'in-progress' | 'completed'>();
  readonly keys: string[] = [];
  unreachable = false;

  async once(key: string, send: () => Promise<void>): Promise<OnceOutcome> {
    this.keys.push(key);
    if (this.unreachable) {
      await send();
      return { outcome: 'unrecorded', reason: 'the table cannot be reached' };
    }
    const state = this.records.get(key);
    if (state === 'completed') return { outcome: 'duplicate' };
    if (state === 'in-progress') throw new NotificationInProgressError(`another delivery of ${key} is sending its notification`);
    this.records.set(key, 'in-progress');
    try {
      await send();
    } catch (error) {
      this.records.delete(key);
      throw error;
    }
    this.records.set(key, 'completed');
    return { outcome: 'sent' };
  }
}
