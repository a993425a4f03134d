/**
 * A Terraform provider block that talks to the emulator as a test's account, for the suites that
 * apply the synthesized modules there.
 */
import type { TestAccount } from './account';

/** Every service the modules create resources in, or read through data sources. */
const SERVICES = ['cloudformation', 'cloudwatch', 'dynamodb', 'ec2', 'events', 'iam', 'kms', 'lambda', 'logs', 'organizations', 'scheduler', 'securityhub', 'sns', 'sqs', 'ssm', 'sts'];

export function emulatorProvider(account: TestAccount, region: string, alias?: string): string {
  const c = account.credentials;
  return `provider "aws" {
${alias ? `  alias                       = "${alias}"\n` : ''}  region                      = "${region}"
  access_key                  = "${c.accessKeyId}"
  secret_key                  = "${c.secretAccessKey}"
  token                       = "${c.sessionToken}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
${SERVICES.map((s) => `    ${s} = "${account.endpoint}"`).join('\n')}
  }
}
`;
}
