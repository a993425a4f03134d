/**
 * Security Hub in one account and region: BatchImportFindings, at most 100 findings a call
 * (Security Hub's limit), as the one signed JSON request it is (`POST /findings/import`).
 *
 * Written by hand, on the SDK's own SigV4 signer and credential chain, because the SDK client's
 * model of this call is the whole ASFF (every resource type Security Hub knows): about 70 KB of
 * the zipped function, which would take it past its 250 KB budget, for a call sg-sentry makes
 * with one resource type. What the client would add on top, it does here: the standard
 * endpoint settings (`AWS_ENDPOINT_URL_SECURITYHUB`, `AWS_ENDPOINT_URL`, passed in by the
 * environment), a few retries of throttling, 5xx and network failures, and the error code.
 *
 * A call that fails counts all its findings as failed and the other calls still go;
 * `FailedFindings` are passed on with their codes. Nothing here runs before the revoke.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { FailedSecurityHubFinding, SecurityHubPort } from '../core/ports';
import type { AsffFinding } from '../core/report/security-hub-findings';
import { classifyAwsError } from './aws-error';

export const BATCH_IMPORT_LIMIT = 100;
const ATTEMPTS = 3;
const BACKOFF_MS = 100;
/**
 * Security Hub answers an import in well under a second; an attempt that hangs is cut off, so an
 * endpoint that never answers costs the invocation a few seconds at most, never its timeout
 * (which Lambda would retry, repeating the whole event).
 */
const ATTEMPT_TIMEOUT_MS = 3000;

/** What the signer hashes: text or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Credentials as the SDK's providers return them. */
export type CredentialProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

/** The SHA-256 the signer asks for, on node:crypto (what the SDK's own hash module does). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** `https://securityhub.<region>.amazonaws.com`, in the partition's DNS suffix. */
export function securityHubEndpoint(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://securityhub.${region}.${suffix}`;
}

/** What a failed call says: Security Hub's error code (header or body) and message. */
class SecurityHubCallError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly $metadata: { readonly httpStatusCode: number },
  ) {
    super(message);
  }
}

export interface SecurityHubAdapterOptions {
  /** A member account's credentials; absent: the SDK's standard chain (the function's own role). */
  readonly credentials?: CredentialProvider;
  /** The endpoint override of the standard settings, when one is set. */
  readonly endpoint?: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long one attempt may take; default ATTEMPT_TIMEOUT_MS. */
  readonly attemptTimeoutMs?: number;
}

export class SecurityHubAdapter implements SecurityHubPort {
  private signer: Promise<{ sign: (request: unknown) => Promise<{ headers: Record<string, string> }> }> | undefined;

  constructor(
    private readonly region: string,
    private readonly options: SecurityHubAdapterOptions = {},
  ) {}

  async importFindings(findings: readonly AsffFinding[]): Promise<{ readonly failed: readonly FailedSecurityHubFinding[] }> {
    const failed: FailedSecurityHubFinding[] = [];
    for (let i = 0; i < findings.length; i += BATCH_IMPORT_LIMIT) {
      const batch = findings.slice(i, i + BATCH_IMPORT_LIMIT);
      try {
        const answer = await this.send(JSON.stringify({ Findings: batch }));
        const refused = Array.isArray(answer.FailedFindings) ? answer.FailedFindings : [];
        for (const f of refused as { Id?: string; ErrorCode?: string; ErrorMessage?: string }[]) {
          failed.push({ id: f.Id ?? '?', code: f.ErrorCode ?? 'Unknown', message: f.ErrorMessage ?? '' });
        }
      } catch (error) {
        const { code, message } = classifyAwsError(error);
        for (const f of batch) failed.push({ id: f.Id, code, message });
      }
    }
    return { failed };
  }

  /** One BatchImportFindings, with a few attempts for what a retry can fix. */
  private async send(body: string): Promise<Record<string, unknown>> {
    let last: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        return await this.sendOnce(body);
      } catch (error) {
        last = error;
        if (!classifyAwsError(error).retryable || attempt === ATTEMPTS) break;
        await (this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
    throw last;
  }

  private async sendOnce(body: string): Promise<Record<string, unknown>> {
    const url = new URL('/findings/import', this.options.endpoint ?? securityHubEndpoint(this.region));
    const request = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { 'content-type': 'application/json', host: url.host },
      body,
    };
    const signed = await (await this.signerOf()).sign(request);
    const response = await (this.options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS),
    });
    const text = await response.text();
    let answer: Record<string, unknown> = {};
    try {
      answer = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      answer = { message: text.slice(0, 500) };
    }
    if (response.ok) return answer;
    const type =
      response.headers.get('x-amzn-errortype') ??
      (typeof answer.__type === 'string' ? answer.__type : undefined) ??
      (typeof answer.Code === 'string' ? answer.Code : undefined);
    const code = (type ?? `HTTP${response.status}`).split(':')[0]!.split('#').pop()!;
    const message =
      typeof answer.Message === 'string' ? answer.Message : typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`;
    throw new SecurityHubCallError(code, message, { httpStatusCode: response.status });
  }

  /** The SDK's signer and, without member credentials, its credential chain: loaded on first use. */
  private signerOf() {
    this.signer ??= (async () => {
      const [{ SignatureV4 }, credentials] = await Promise.all([
        import('@smithy/signature-v4'),
        this.options.credentials !== undefined
          ? this.options.credentials
          : import('@aws-sdk/credential-provider-node').then((m): CredentialProvider => m.defaultProvider()),
      ]);
      return new SignatureV4({ service: 'securityhub', region: this.region, credentials, sha256: Sha256 }) as unknown as {
        sign: (request: unknown) => Promise<{ headers: Record<string, string> }>;
      };
    })();
    return this.signer;
  }
}
