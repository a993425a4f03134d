import type { NotificationMessage, NotifierPort } from '../../function/core/ports';

/** A NotifierPort that keeps what it was asked to publish; `failWith` makes it throw instead. */
export class RecordingNotifier implements NotifierPort {
  readonly published: NotificationMessage[] = [];
  private failure: Error | undefined;

  failWith(error: Error): this {
    this.failure = error;
    return this;
  }

  /** Publishing works again (a retry after SNS failed). */
  recover(): this {
    this.failure = undefined;
    return this;
  }

  async publish(message: NotificationMessage): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.published.push(message);
  }
}
