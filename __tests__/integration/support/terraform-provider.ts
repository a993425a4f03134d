/**
 * Applying the synthesized modules to the emulator: a provider block that talks to it as a test's
 * account, and a root configuration written next to the modules, initialized from the local
 * provider mirror and applied.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectSuccess, pluginDir, terraform } from '../../module/support/terraform';
import { synthesizedWorkspace } from '../../module/support/workspace';
import type { TestAccount } from './account';

/** Every service the modules create resources in, or read through data sources. */
const SERVICES = [
  'cloudformation',
  'cloudwatch',
  'dynamodb',
  'ec2',
  'events',
  'iam',
  'kms',
  'lambda',
  'logs',
  'organizations',
  'scheduler',
  'securityhub',
  'sns',
  'sqs',
  'ssm',
  'sts',
];

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

/**
 * Writes `configuration` (providers and module blocks; `source = "../../terraform/<module>"`)
 * as the root module of `<workspace>/<folder>/<account>`, then `terraform init` and `apply`.
 */
export async function applyOnEmulator(folder: string, account: TestAccount, configuration: string): Promise<void> {
  const { root } = synthesizedWorkspace();
  const dir = join(root, folder, account.accountId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'main.tf'),
    `terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

${configuration}`,
  );
  expectSuccess(await terraform(dir, ['init', `-plugin-dir=${pluginDir()}`, '-backend=false', '-no-color']), 'terraform init');
  expectSuccess(await terraform(dir, ['apply', '-auto-approve', '-no-color']), 'terraform apply');
}
