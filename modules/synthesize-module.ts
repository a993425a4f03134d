/**
 * Writes the self-contained Terraform module: `main.tf.json`, the function archive and a
 * README generated from the variables and outputs. The output depends only on the sources:
 * keys sorted, cdktf's metadata (which names paths and versions) stripped, the archive built by
 * a zip writer without timestamps.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { functionArchiveBytes } from './function-archive';
import { FUNCTION_ARCHIVE, SentryModuleStack } from './module-stack';
import { renderModuleReadme } from './module-readme';

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

export interface WriteModuleOptions {
  /** Directory to (re)create, e.g. dist/terraform-module. */
  readonly outDir: string;
  /** The bundled function, dist/function/index.js. */
  readonly bundleFile: string;
}

export function writeModule({ outDir, bundleFile }: WriteModuleOptions): TerraformJson {
  const archive = functionArchiveBytes(bundleFile);
  const config = synthesizeModuleJson();
  // Replaces an earlier module, never anything else a mistyped --out could name.
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'main.tf.json'))) {
    throw new Error(`${outDir} is neither empty nor a synthesized module: not replacing it`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, dirname(FUNCTION_ARCHIVE)), { recursive: true });
  writeFileSync(join(outDir, 'main.tf.json'), stableJson(config));
  writeFileSync(join(outDir, FUNCTION_ARCHIVE), archive);
  writeFileSync(join(outDir, 'README.md'), renderModuleReadme(config));
  return config;
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
