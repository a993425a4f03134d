/** Exit codes every command shares (docs/cli.md lists them). */
export const EXIT = {
  ok: 0,
  /** Something violates the policy (check), or violations were found or remain (scan). */
  violations: 1,
  /** Bad input or usage: unreadable file, bad JSON, invalid event or policy, unknown flag. */
  usage: 2,
  /** An AWS call failed (credentials, permissions, throttling that outlasted the retries). */
  aws: 3,
} as const;

/** A failure the user can fix; printed as one message, never with a stack trace unless --debug. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message for stderr: `sg-sentry: …`, then, with --debug, the stack of what caused it. */
export function errorText(error: CliError, debug: boolean): string {
  const cause = debug && error.cause instanceof Error ? `${error.cause.stack ?? error.cause.message}\n` : '';
  return `sg-sentry: ${error.message}\n${cause}`;
}
