/**
 * One notifier that delivers to several: the primary (SNS) whose failure is the caller's to
 * handle, then best-effort ones (Slack) whose failures are only logged. SNS goes first so that
 * a slow Slack never delays it, and Slack is still tried when SNS failed.
 */
import type { LogSink, NotificationMessage, NotifierPort } from '../core/ports';

export class FanOutNotifier implements NotifierPort {
  constructor(
    private readonly primary: NotifierPort | undefined,
    private readonly bestEffort: readonly NotifierPort[],
    private readonly log: LogSink,
  ) {}

  /** The primary alone when there is nothing best-effort; undefined when there is nothing at all. */
  static of(primary: NotifierPort | undefined, bestEffort: readonly NotifierPort[], log: LogSink): NotifierPort | undefined {
    if (bestEffort.length === 0) return primary;
    return new FanOutNotifier(primary, bestEffort, log);
  }

  async publish(message: NotificationMessage): Promise<void> {
    let primaryFailure: { error: unknown } | undefined;
    if (this.primary !== undefined) {
      try {
        await this.primary.publish(message);
      } catch (error) {
        primaryFailure = { error };
      }
    }
    for (const notifier of this.bestEffort) {
      try {
        await notifier.publish(message);
      } catch (error) {
        this.log({
          level: 'error',
          message: 'best-effort notification failed',
          event_id: message.report?.event_id ?? null,
          error: String(error),
        });
      }
    }
    if (primaryFailure !== undefined) throw primaryFailure.error;
  }
}
