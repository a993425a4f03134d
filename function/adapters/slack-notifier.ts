/**
 * Posts notifications to a Slack incoming webhook with Node's own fetch. Best effort by design:
 * every failure (the URL cannot be read, a timeout, a 5xx, a refused connection) is logged and
 * swallowed, so Slack can never hold up or undo a revoke or the SNS notification. Time is
 * bounded: a few seconds per attempt, and few attempts.
 */
import type { LogSink, NotificationMessage, NotifierPort } from '../core/ports';
import { slackMessageOf, slackMessageOfText, type SlackMessage } from '../core/report/slack-message';
import { messageOf } from '../core/errors';

export interface SlackNotifierOptions {
  /** Per attempt, including reading the response. */
  readonly timeoutMs?: number;
  /** Attempts in all; only 5xx, 429, timeouts and network failures are tried again. */
  readonly attempts?: number;
  /** Wait before the next attempt (doubled each time); a 429's Retry-After is honoured up to `maxWaitMs`. */
  readonly backoffMs?: number;
  readonly maxWaitMs?: number;
  /** Where the URL comes from, for log lines (the URL itself is a secret and never logged). */
  readonly source?: string;
}

const DEFAULTS = { timeoutMs: 3000, attempts: 2, backoffMs: 250, maxWaitMs: 1000 } as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The configured value is not a usable webhook URL. */
export class SlackConfigError extends Error {
  override readonly name = 'SlackConfigError';
}

/**
 * Parses the webhook URL: https only (http is accepted for loopback, which tests use). The
 * error never repeats the URL, whose path is the credential.
 */
function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new SlackConfigError('the Slack webhook URL is not a valid URL');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new SlackConfigError(`the Slack webhook URL must use https (got ${url.protocol}//${url.host})`);
}

/** The payload for a message: Block Kit from the report when there is one, else from the text. */
function slackPayload(message: NotificationMessage): SlackMessage {
  return message.report !== undefined
    ? slackMessageOf(message.report, message.subject)
    : slackMessageOfText(message.subject, message.email);
}

interface AttemptFailure {
  readonly error: string;
  readonly retryable: boolean;
  readonly waitMs?: number;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message;
  const message = messageOf(error);
  return detail ? `${message} (${detail})` : message;
}

export class SlackNotifier implements NotifierPort {
  private readonly options: Required<Omit<SlackNotifierOptions, 'source'>> & { source?: string };

  constructor(
    private readonly url: () => Promise<string>,
    private readonly log: LogSink,
    options: SlackNotifierOptions = {},
  ) {
    this.options = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      attempts: Math.max(1, options.attempts ?? DEFAULTS.attempts),
      backoffMs: options.backoffMs ?? DEFAULTS.backoffMs,
      maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
      ...(options.source !== undefined ? { source: options.source } : {}),
    };
  }

  /** Never throws: a failure is one log line. */
  async publish(message: NotificationMessage): Promise<void> {
    const eventId = message.report?.event_id ?? null;
    try {
      const url = webhookUrl(await this.url());
      const failure = await this.post(url, JSON.stringify(slackPayload(message)));
      if (failure === undefined) return;
      this.log({
        level: 'error',
        message: 'slack notification failed; remediation and SNS are unaffected',
        event_id: eventId,
        error: failure.error,
        attempts: failure.attempts,
      });
    } catch (error) {
      this.log({
        level: 'error',
        message: 'slack notification failed; remediation and SNS are unaffected',
        event_id: eventId,
        error: `${this.options.source ? `webhook URL from ${this.options.source}: ` : ''}${messageOf(error)}`,
        attempts: 0,
      });
    }
  }

  private async post(url: URL, body: string): Promise<{ error: string; attempts: number } | undefined> {
    const { attempts, backoffMs, maxWaitMs, timeoutMs } = this.options;
    let failure: AttemptFailure = { error: 'not attempted', retryable: false };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await this.attempt(url, body, timeoutMs);
      if (result === undefined) return undefined;
      failure = result;
      if (!failure.retryable || attempt === attempts) return { error: failure.error, attempts: attempt };
      const wait = Math.min(failure.waitMs ?? backoffMs * 2 ** (attempt - 1), maxWaitMs);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return { error: failure.error, attempts };
  }

  private async attempt(url: URL, body: string, timeoutMs: number): Promise<AttemptFailure | undefined> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      // Slack answers a short text (`ok`, `invalid_blocks`, …); read it to free the socket.
      const text = (await response.text()).slice(0, 200);
      if (response.ok) return undefined;
      const retryable = response.status >= 500 || response.status === 429;
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        error: `HTTP ${response.status}${text ? `: ${text}` : ''}`,
        retryable,
        ...(response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 ? { waitMs: retryAfter * 1000 } : {}),
      };
    } catch (error) {
      return { error: describeError(error, timeoutMs), retryable: true };
    }
  }
}
