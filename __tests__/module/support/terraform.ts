/**
 * Runs terraform offline against the local provider mirror: the mirror's root comes
 * from TF_PLUGIN_DIR or is discovered (the directory holding registry.terraform.io/hashicorp/aws).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stsStubEndpoint } from './sts-stub';

const PROVIDER_PATH = join('registry.terraform.io', 'hashicorp', 'aws');
const SEARCH_ROOTS = ['/opt', '/usr/local/share', '/usr/share', '/root', process.env.HOME ?? '', '/var/lib'];
const KNOWN_MIRRORS = [
  '/opt/tf-plugins',
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
  join(process.env.HOME ?? '/root', '.terraform.d', 'plugins'),
  join(process.env.HOME ?? '/root', '.local', 'share', 'terraform', 'plugins'),
];

let cachedPluginDir: string | undefined;

export function pluginDir(): string {
  if (cachedPluginDir) return cachedPluginDir;
  const fromEnv = process.env.TF_PLUGIN_DIR;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, PROVIDER_PATH))) {
      throw new Error(`TF_PLUGIN_DIR=${fromEnv} does not hold ${PROVIDER_PATH}`);
    }
    return (cachedPluginDir = fromEnv);
  }
  const found = KNOWN_MIRRORS.find((dir) => existsSync(join(dir, PROVIDER_PATH))) ?? search();
  if (!found) {
    throw new Error(`no Terraform plugin mirror holding ${PROVIDER_PATH} found; set TF_PLUGIN_DIR`);
  }
  return (cachedPluginDir = found);
}

/** Breadth-first over a few common roots, three levels deep, for a directory holding the provider. */
function search(): string | undefined {
  let level = SEARCH_ROOTS.filter((dir) => dir && existsSync(dir));
  for (let depth = 0; depth < 4; depth++) {
    const hit = level.find((dir) => existsSync(join(dir, PROVIDER_PATH)));
    if (hit) return hit;
    level = level.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((entry) => !entry.startsWith('.') || entry === '.terraform.d')
          .map((entry) => join(dir, entry))
          .filter((path) => {
            try {
              return statSync(path).isDirectory();
            } catch {
              return false;
            }
          });
      } catch {
        return [];
      }
    });
  }
  return undefined;
}

/**
 * Placeholder credentials and the provider's skip flags: plan without an AWS account. The one
 * call a plan makes (the caller's account id) goes to a loopback STS stub.
 */
export function offlineProviderOverride(stsEndpoint: string, region = 'eu-west-1', alias?: string): string {
  return `provider "aws" {${alias ? `\n  alias                       = "${alias}"` : ''}
  region                      = "${region}"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    sts = "${stsEndpoint}"
  }
}
`;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let cacheDir: string | undefined;
let initQueue: Promise<void> = Promise.resolve();
/** One plugin cache per test process, removed when it ends. */
function pluginCacheDir(): string {
  if (!cacheDir) {
    cacheDir = mkdtempSync(join(tmpdir(), 'sg-sentry-terraform-plugins-'));
    const dir = cacheDir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cacheDir;
}

/** `terraform <args>` in `dir`, its data dir inside `dir`; resolves with the exit code. */
export function terraform(dir: string, args: readonly string[]): Promise<TerraformResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_DATA_DIR: join(dir, '.terraform'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // init links the provider from the cache instead of copying its 700 MB into every directory.
    TF_PLUGIN_CACHE_DIR: pluginCacheDir(),
  };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'TF_CLI_ARGS']) {
    delete env[name];
  }
  return new Promise((resolve) => {
    execFile('terraform', [...args], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function expectSuccess(result: TerraformResult, what: string): TerraformResult {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
  return result;
}

/**
 * init from the mirror only, with the offline provider override written first. Without a
 * backend, unless the configuration declares one (a cdktf stack's local backend): then the
 * override points its state into `dir`.
 */
export async function initOffline(dir: string, options: { localBackend?: boolean; override?: string } = {}): Promise<void> {
  const backend = options.localBackend ? '\nterraform {\n  backend "local" {\n    path = "terraform.tfstate"\n  }\n}\n' : '';
  const sts = await stsStubEndpoint();
  const aliases = aliasedProviders(dir).map(({ alias, region }) => offlineProviderOverride(sts, region, alias));
  writeFileSync(
    join(dir, 'zz_offline_override.tf'),
    [offlineProviderOverride(sts), ...aliases].join('\n') + backend + (options.override ?? ''),
  );
  const args = ['init', `-plugin-dir=${pluginDir()}`, '-no-color', ...(options.localBackend ? [] : ['-backend=false'])];
  // One init at a time: concurrent ones race on the plugin cache's entry. Linking from the cache
  // takes under a second; the plans that follow run in parallel.
  const run = initQueue.then(() => terraform(dir, args));
  initQueue = run.then(
    () => undefined,
    () => undefined,
  );
  expectSuccess(await run, `terraform init in ${dir}`);
}

/** The `provider "aws"` blocks with an alias (and their region) in the .tf files of `dir`. */
function aliasedProviders(dir: string): Array<{ alias: string; region: string }> {
  const sources = readdirSync(dir)
    .filter((file) => file.endsWith('.tf') && !file.startsWith('zz_'))
    .map((file) => readFileSync(join(dir, file), 'utf8'));
  return sources.flatMap((source) =>
    [...source.matchAll(/provider\s+"aws"\s*\{([^}]*)\}/g)].flatMap((block) => {
      const alias = /alias\s*=\s*"([^"]+)"/.exec(block[1]!)?.[1];
      const region = /region\s*=\s*"([^"]+)"/.exec(block[1]!)?.[1];
      return alias && region ? [{ alias, region }] : [];
    }),
  );
}

export interface PlannedResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly actions: string[];
  readonly after: Record<string, unknown>;
  /** Which attributes of `after` Terraform knows only after apply (true, or a nested shape). */
  readonly afterUnknown: Record<string, unknown>;
}

/** plan -refresh=false, then the plan as JSON (terraform show -json). */
export async function planOffline(dir: string): Promise<PlannedResource[]> {
  expectSuccess(
    await terraform(dir, ['plan', '-refresh=false', '-lock=false', '-no-color', '-out=plan.tfplan']),
    `terraform plan in ${dir}`,
  );
  const shown = expectSuccess(await terraform(dir, ['show', '-json', 'plan.tfplan']), `terraform show in ${dir}`);
  const plan = JSON.parse(shown.stdout) as {
    resource_changes?: Array<{
      address: string;
      mode: 'managed' | 'data';
      type: string;
      name: string;
      change: { actions: string[]; after: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
    }>;
  };
  return (plan.resource_changes ?? []).map((r) => ({
    address: r.address,
    mode: r.mode,
    type: r.type,
    name: r.name,
    actions: r.change.actions,
    after: r.change.after ?? {},
    afterUnknown: r.change.after_unknown ?? {},
  }));
}
