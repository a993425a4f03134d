import type { z } from 'zod';

/** What an error says, for a log line or a report: whatever was thrown, an `Error` or not. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An input event that does not have the shape the contract describes. Never retried. */
export class EventValidationError extends Error {
  override readonly name: string = 'EventValidationError';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid event: ${problems.join('; ')}`, options);
  }

  static fromZod(error: z.ZodError, prefix: string): EventValidationError {
    return new EventValidationError(formatZodIssues(error, prefix), { cause: error });
  }
}

/**
 * An EventBridge envelope whose `account` or `region` contradicts its CloudTrail record
 * (`recipientAccountId`, `awsRegion`). Invalid like any malformed event, but never judged from
 * the group its record names: nothing it says can be trusted to pick the account to act in.
 */
export class EnvelopeMismatchError extends EventValidationError {
  override readonly name: string = 'EnvelopeMismatchError';
}

/** `detail.requestParameters.ipPermissions.items[0].fromPort: must be 65535 or less` */
function formatZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.reduce<string>((acc, key) => {
      if (typeof key === 'number') return `${acc}[${key}]`;
      return acc === '' ? String(key) : `${acc}.${String(key)}`;
    }, prefix);
    return `${path || '(root)'}: ${issue.message}`;
  });
}

/**
 * A failed EC2 call as the core sees it: the adapter decides `retryable` from the SDK's own
 * classification (throttling, 5xx, network), so the core never needs the SDK's types.
 */
export class Ec2CallError extends Error {
  override readonly name = 'Ec2CallError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/** Remediation could not finish for a reason that a retry may fix; Lambda's retries take over. */
export class RetryableRemediationError extends Error {
  override readonly name = 'RetryableRemediationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The notification failed after remediation was done (the revoke stays in place). */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The state table could not be read or written; `retryable` as the SDK classified the failure. */
export class StateTableError extends Error {
  override readonly name = 'StateTableError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Another delivery of the same event holds its notification record (it is notifying now, or
 * stopped while it was): this delivery fails so that Lambda retries it later, when the record is
 * complete (then it is a duplicate) or has been released.
 */
export class NotificationInProgressError extends Error {
  override readonly name = 'NotificationInProgressError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
