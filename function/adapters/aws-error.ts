import { Ec2CallError } from '../core/errors';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'EC2ThrottledException',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'AbortError']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** What any SDK failure (after the SDK's own retries) comes down to for sg-sentry. */
export interface AwsFailure {
  readonly code: string;
  readonly message: string;
  /** Throttling, 5xx and network failures: a later attempt may succeed. */
  readonly retryable: boolean;
}

export function classifyAwsError(error: unknown): AwsFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'UnknownError');
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    THROTTLING_CODES.has(code) ||
    NETWORK_CODES.has(code) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code)) ||
    e.$retryable !== undefined ||
    e.$fault === 'server' ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (e.$fault === undefined && status === undefined);
  return { code, message: e.message ?? String(error), retryable };
}

/**
 * Maps an EC2 failure to what the core needs: a code and whether Lambda's retry could help.
 * A client error such as UnauthorizedOperation is not retryable.
 */
export function toEc2CallError(error: unknown): Ec2CallError {
  const { code, message, retryable } = classifyAwsError(error);
  return new Ec2CallError(code, message, retryable, { cause: error });
}
