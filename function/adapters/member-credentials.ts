/**
 * Credentials for a member account of an organization: `sts:AssumeRole` on its member role,
 * session `sg-sentry`, kept until shortly before they expire. One cache per account, shared by
 * the EC2 clients of every region of that account.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { MEMBER_ROLE_SESSION_NAME } from '../core/member-role';

type Sdk = typeof import('./sts-sdk');
/** Loaded on first use, not at the top: see sts-sdk.ts. */
const sdk = (): Sdk => require('./sts-sdk') as Sdk;

/** Fetch new credentials when less than this is left (the SDK's own clients refresh at 5 minutes too). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** An SDK credential provider: what an SDK client's `credentials` option takes. */
export type CredentialSource = () => Promise<TemporaryCredentials>;

/**
 * An AssumeRole that failed, carrying the SDK error's classification (`name`, `$fault`,
 * `$metadata`) so that the EC2 adapter's error mapping sees AccessDenied as permanent and
 * throttling or a network error as retryable, with the role in the message.
 */
export class AssumeRoleError extends Error {
  readonly $fault?: unknown;
  readonly $metadata?: unknown;
  readonly $retryable?: unknown;
  readonly code?: unknown;

  constructor(roleArn: string, cause: unknown) {
    const e = (typeof cause === 'object' && cause !== null ? cause : {}) as Record<string, unknown>;
    super(`assuming ${roleArn} failed: ${typeof e.message === 'string' ? e.message : String(cause)}`, { cause });
    this.name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'AssumeRoleFailed';
    this.$fault = e.$fault;
    this.$metadata = e.$metadata;
    this.$retryable = e.$retryable;
    this.code = e.code;
  }
}

/** The STS client, created on first use. */
export type StsClientSource = () => Promise<STSClient>;

/**
 * STS's SDK module is loaded only when a member account is first reached: an event of the
 * function's own account never pays for it.
 */
export function lazyStsClient(): StsClientSource {
  let client: Promise<STSClient> | undefined;
  // In the function's own region: STS's regional endpoint.
  return () => (client ??= Promise.resolve(new (sdk().STSClient)({})));
}

/** One AssumeRole call (no cache). */
export function assumeRole(sts: StsClientSource, roleArn: string): CredentialSource {
  return async () => {
    let output;
    try {
      const client = await sts();
      output = await client.send(new (sdk().AssumeRoleCommand)({ RoleArn: roleArn, RoleSessionName: MEMBER_ROLE_SESSION_NAME }));
    } catch (error) {
      throw new AssumeRoleError(roleArn, error);
    }
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new AssumeRoleError(roleArn, new Error('the answer carried no credentials'));
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}

/**
 * `fetch` once, then the same credentials until less than REFRESH_BEFORE_EXPIRY_MS is left.
 * Calls while a fetch is in flight share it; a failed fetch is not kept, so the next call tries again.
 */
export function cachedCredentials(fetch: CredentialSource, now: () => Date): CredentialSource {
  let current: TemporaryCredentials | undefined;
  let inFlight: Promise<TemporaryCredentials> | undefined;
  return () => {
    if (current !== undefined && current.expiration.getTime() - now().getTime() > REFRESH_BEFORE_EXPIRY_MS) {
      return Promise.resolve(current);
    }
    inFlight ??= fetch().then(
      (credentials) => {
        current = credentials;
        inFlight = undefined;
        return credentials;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}
