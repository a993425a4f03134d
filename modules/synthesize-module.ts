/**
 * Writes the self-contained Terraform modules: `main.tf.json`, `versions.tf.json`, the function
 * archive and a README generated from the variables and outputs. The output depends only on the
 * sources: keys sorted, cdktf's metadata (which names paths and versions) stripped, the archive
 * built by a zip writer without timestamps. The same files go to dist/ (`npm run synth`) and to
 * the released folders under terraform/ (`npm run release:modules`), which are committed.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { functionArchiveBytes } from './function-archive';
import { MemberModuleStack } from './member-module-stack';
import { FUNCTION_ARCHIVE, SentryModuleStack } from './module-stack';
import { renderMemberModuleReadme, renderModuleReadme } from './module-readme';

export type TerraformJson = Record<string, unknown>;

/**
 * The root of a construct tree without cdktf's App, which creates its output directory as soon
 * as it is constructed: stacks under it are turned into JSON with toTerraform(), in memory.
 */
export function bareRoot(): Construct {
  return new Construct(undefined as unknown as Construct, '');
}

/** An empty stack under a bare root, for constructs synthesized in memory. */
export function bareStack(id: string): TerraformStack {
  return new TerraformStack(bareRoot(), id);
}

/** The module as Terraform JSON, without cdktf's `//` metadata. */
export function synthesizeModuleJson(): TerraformJson {
  // toTerraform() without synth(): no validations, so the (wanted) absence of a provider
  // construct is no error, and no backend is added.
  return withoutMetadata(new SentryModuleStack(bareRoot(), 'sg-sentry').toTerraform()) as TerraformJson;
}

/** The member module as Terraform JSON, without cdktf's `//` metadata. */
export function synthesizeMemberModuleJson(): TerraformJson {
  return withoutMetadata(new MemberModuleStack(bareRoot(), 'sg-sentry-member').toTerraform()) as TerraformJson;
}

/** JSON with object keys sorted at every level, two-space indent, final newline. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** One module the repository releases: synthesized, then written to terraform/ and dist/. */
export interface ReleasedModule {
  /** Its folder under terraform/, the `//subdir` of a git source. */
  readonly folder: string;
  /** Its folder under dist/, where `npm run synth` writes it. */
  readonly distFolder: string;
  readonly synthesize: () => TerraformJson;
  readonly readme: (config: TerraformJson) => string;
  /** Whether it ships the function archive (the member module runs no code). */
  readonly archive: boolean;
}

/** Every released module. */
export const RELEASED_MODULES: readonly ReleasedModule[] = [
  { folder: 'sg-sentry', distFolder: 'terraform-module', synthesize: synthesizeModuleJson, readme: renderModuleReadme, archive: true },
  {
    folder: 'sg-sentry-member',
    distFolder: 'terraform-module-member',
    synthesize: synthesizeMemberModuleJson,
    readme: renderMemberModuleReadme,
    archive: false,
  },
];

/**
 * A module's files by relative path: the configuration in `main.tf.json`, its Terraform and
 * provider requirements in `versions.tf.json` (where Terraform users look for them), the README
 * and the function archive.
 */
export function moduleFiles(module: ReleasedModule, bundleFile: string): Map<string, Buffer> {
  const { terraform, ...config } = module.synthesize();
  return new Map([
    ['main.tf.json', Buffer.from(stableJson(config))],
    ['versions.tf.json', Buffer.from(stableJson({ terraform }))],
    ['README.md', Buffer.from(module.readme({ terraform, ...config }))],
    ...(module.archive ? [[FUNCTION_ARCHIVE, functionArchiveBytes(bundleFile)] as [string, Buffer]] : []),
  ]);
}

/** (Re)creates `outDir` with the module's files; replaces an earlier module, never anything else. */
export function writeModuleFiles(outDir: string, files: ReadonlyMap<string, Buffer>): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'main.tf.json'))) {
    throw new Error(`${outDir} is neither empty nor a synthesized module: not replacing it`);
  }
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), bytes);
  }
}

export interface WriteModuleOptions {
  /** Directory to (re)create, e.g. dist/terraform-module. */
  readonly outDir: string;
  /** The bundled function, dist/function/index.js. */
  readonly bundleFile: string;
  /** Default: the main module (sg-sentry). */
  readonly module?: ReleasedModule;
}

/** Writes one module; returns its whole configuration. */
export function writeModule({ outDir, bundleFile, module = RELEASED_MODULES[0]! }: WriteModuleOptions): TerraformJson {
  writeModuleFiles(outDir, moduleFiles(module, bundleFile));
  return module.synthesize();
}

function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '//')
        .map(([key, v]) => [key, withoutMetadata(v)]),
    );
  }
  return value;
}
