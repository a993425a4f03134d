/**
 * Publishing a notification at most once per delivery key (the CloudTrail event id, the
 * schedule event's id, the sweep job's message id), for the event path, the sweep and tag
 * changes alike. Without a state table every delivery notifies. The table is consulted only
 * here, after remediation: it never delays a revoke, and a table that cannot be reached never
 * stops a notification (it is sent anyway, and the log says why it may be sent twice).
 */
import { NotificationError, NotificationInProgressError } from './errors';
import type { EngineContext, NotificationMessage } from './ports';

export interface Published {
  /** A delivery of the same key had already sent it: nothing was sent now. */
  readonly duplicate: boolean;
}

/**
 * Publishes `message` unless a delivery of `key` already did. Throws `NotificationInProgressError`
 * (retryable) while another delivery holds the key, and `NotificationError` when SNS failed.
 * `where` names the report in log lines.
 */
export async function publishOnce(
  key: string | null,
  message: NotificationMessage,
  ctx: EngineContext,
  where: Readonly<Record<string, unknown>>,
): Promise<Published> {
  const { notifier } = ctx;
  if (notifier === undefined) return { duplicate: false };
  const send = () => notifier.publish(message);
  try {
    if (ctx.notifyOnce === undefined || key === null) {
      await send();
      return { duplicate: false };
    }
    const result = await ctx.notifyOnce.once(key, send);
    if (result.outcome === 'unrecorded') {
      ctx.log({
        level: 'warn',
        message: 'sg-sentry notified without the state table; a redelivery may notify again',
        ...where,
        reason: result.reason,
      });
    }
    return { duplicate: result.outcome === 'duplicate' };
  } catch (error) {
    if (error instanceof NotificationInProgressError) {
      ctx.log({
        level: 'warn',
        message: 'sg-sentry notification in progress in another delivery; retrying later',
        ...where,
        error: error.message,
      });
      throw error;
    }
    ctx.log({ level: 'error', message: 'notification failed; remediation stands', ...where, error: String(error) });
    throw new NotificationError(`publishing the report for ${String(where.event_id ?? key)} failed`, { cause: error });
  }
}
