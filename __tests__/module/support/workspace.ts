/**
 * One synthesis of the modules per test process, written into a temporary workspace that mirrors
 * the repository layout (terraform/sg-sentry, terraform/sg-sentry-member), so that examples copied
 * next to it find them at `source = "../../../terraform/sg-sentry"` as they find the committed
 * ones, and nothing lands in the repository.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELEASED_MODULES, TerraformJson, writeModule } from '../../../modules/synthesize-module';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const BUNDLE_FILE = join(REPO_ROOT, 'dist', 'function', 'index.js');

export interface Workspace {
  readonly root: string;
  readonly moduleDir: string;
  readonly module: TerraformJson;
  readonly memberModuleDir: string;
  readonly memberModule: TerraformJson;
}

let workspace: Workspace | undefined;

export function synthesizedWorkspace(): Workspace {
  if (workspace) return workspace;
  if (!existsSync(BUNDLE_FILE)) {
    throw new Error(`${BUNDLE_FILE} is missing: run \`npm run build\` first (npm test does)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'sg-sentry-module-'));
  // Removed when the test process ends, also when the synthesis below fails.
  process.on('exit', () => {
    if (!process.env.SG_SENTRY_KEEP_TEST_WORKSPACE) rmSync(root, { recursive: true, force: true });
  });
  const moduleDir = join(root, 'terraform', 'sg-sentry');
  const module = writeModule({ outDir: moduleDir, bundleFile: BUNDLE_FILE });
  const memberModuleDir = join(root, 'terraform', 'sg-sentry-member');
  const memberModule = writeModule({ outDir: memberModuleDir, bundleFile: BUNDLE_FILE, module: RELEASED_MODULES[1] });
  workspace = { root, moduleDir, module, memberModuleDir, memberModule };
  return workspace;
}

type Block = Record<string, unknown>;

/** `resource.<type>.<name>` of the synthesized module; fails the test when absent. */
export function resource(module: TerraformJson, type: string, name: string): Block {
  const body = (module.resource as Record<string, Record<string, Block>> | undefined)?.[type]?.[name];
  if (!body) throw new Error(`the module has no resource ${type}.${name}`);
  return body;
}

export function dataSource(module: TerraformJson, type: string, name: string): Block {
  const body = (module.data as Record<string, Record<string, Block>> | undefined)?.[type]?.[name];
  if (!body) throw new Error(`the module has no data source ${type}.${name}`);
  return body;
}

/** Every `type.name` address of the module's managed resources, sorted. */
export function resourceAddresses(module: TerraformJson): string[] {
  const byType = (module.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(byType)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}
