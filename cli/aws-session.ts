/**
 * The AWS side of `sg-sentry scan`: the caller's credentials (the SDK's standard chain, or the
 * named `--profile`), the account they belong to, the regions to scan, and EC2 in each. STS is
 * loaded only when the account is asked for.
 */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../function/adapters/aws-error';
import { Ec2Adapter } from '../function/adapters/ec2-adapter';
import type { Ec2Port } from '../function/core/ports';
import { CliError, EXIT } from './errors';

export interface AwsSession {
  /** The region the configuration names (AWS_REGION, AWS_DEFAULT_REGION, then the profile's), if any. */
  configuredRegion(): Promise<string | undefined>;
  /** The account of the credentials (sts:GetCallerIdentity). */
  callerAccount(region: string): Promise<string>;
  /** The regions enabled for the account (ec2:DescribeRegions), sorted. */
  enabledRegions(region: string): Promise<string[]>;
  ec2(region: string): Ec2Port;
}

/** What to tell the caller to do about a failed call. */
export function failureHint(code: string, command: string): string {
  if (/Credential|ExpiredToken|InvalidClientTokenId|AuthFailure|UnrecognizedClient|SignatureDoesNotMatch|ProfileNotFound/i.test(code)) {
    return ' (check your AWS credentials: environment, --profile or AWS_PROFILE, `aws sso login`)';
  }
  if (/Unauthorized|AccessDenied/i.test(code)) return ` (the caller lacks a permission; see sg-sentry ${command} --help)`;
  return '';
}

function awsCallFailed(what: string, error: unknown): CliError {
  const { code, message } = classifyAwsError(error);
  return new CliError(`scan: ${what} failed: ${code}: ${message}${failureHint(code, 'scan')}`, EXIT.aws, { cause: error });
}

export function sdkSession(profile: string | undefined, env: NodeJS.ProcessEnv): AwsSession {
  const withProfile = profile !== undefined ? { profile } : {};
  const ec2Clients = new Map<string, EC2Client>();
  const ec2Client = (region: string) => {
    let client = ec2Clients.get(region);
    if (client === undefined) {
      client = new EC2Client({ region, ...withProfile });
      ec2Clients.set(region, client);
    }
    return client;
  };
  return {
    async configuredRegion() {
      const fromEnv = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
      if (fromEnv) return fromEnv;
      // The SDK's own resolution: the profile's `region` in the shared config file. No call is made.
      try {
        return (await new EC2Client(withProfile).config.region()) || undefined;
      } catch {
        return undefined;
      }
    },
    async callerAccount(region) {
      let answer;
      try {
        const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
        answer = await new STSClient({ region, ...withProfile }).send(new GetCallerIdentityCommand({}));
      } catch (error) {
        throw awsCallFailed('sts:GetCallerIdentity (which account the credentials belong to)', error);
      }
      if (answer.Account === undefined) throw new CliError('scan: sts:GetCallerIdentity named no account', EXIT.aws);
      return answer.Account;
    },
    async enabledRegions(region) {
      let answer;
      try {
        answer = await ec2Client(region).send(new DescribeRegionsCommand({ AllRegions: false }));
      } catch (error) {
        throw awsCallFailed('ec2:DescribeRegions (--regions all)', error);
      }
      const names = (answer.Regions ?? [])
        .filter((r) => r.OptInStatus === undefined || r.OptInStatus !== 'not-opted-in')
        .map((r) => r.RegionName)
        .filter((name): name is string => name !== undefined && name !== '');
      if (names.length === 0) throw new CliError('scan: ec2:DescribeRegions answered no enabled region', EXIT.aws);
      return [...new Set(names)].sort();
    },
    ec2: (region) => new Ec2Adapter(ec2Client(region)),
  };
}
