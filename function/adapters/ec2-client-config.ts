import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { CredentialSource } from './member-credentials';

/**
 * The EC2 client's settings. Adaptive retry: besides retrying throttling (`RequestLimitExceeded`)
 * and 5xx with backoff, the client slows its own sending rate once EC2 throttles, so the calls a
 * sweep has in flight together back off as one instead of each spending its attempts. The number
 * of attempts stays the SDK's (3, or `AWS_MAX_ATTEMPTS`).
 */
export function ec2ClientConfig(region: string, credentials?: CredentialSource): EC2ClientConfig {
  return { region, retryMode: 'adaptive', ...(credentials !== undefined ? { credentials } : {}) };
}
