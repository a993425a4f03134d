/**
 * The function archive for cdktf apps: the same deterministic zip the Terraform module ships,
 * handed to cdktf as a file asset, so `source_code_hash` changes only when the bundle does.
 * (cdktf's ARCHIVE assets zip with file times.)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { deterministicZip } from './deterministic-zip';

/**
 * The function bundle that ships with sg-sentry: `dist/function/index.js` next to the compiled
 * library in the npm package (`dist/lib/modules/` → `dist/function/`), or in a built checkout.
 */
export function bundledFunctionFile(): string {
  const candidates = [join(__dirname, '..', '..', 'function', 'index.js'), join(__dirname, '..', 'dist', 'function', 'index.js')];
  return candidates.find((file) => existsSync(file)) ?? candidates[candidates.length - 1]!;
}

/** The zip of the bundled handler as the function expects it: `index.js` at the root. */
export function functionArchiveBytes(bundleFile: string): Buffer {
  if (!existsSync(bundleFile)) {
    throw new Error(`${bundleFile} does not exist: run \`npm run build\` (function/index.ts must exist) first`);
  }
  return deterministicZip([{ name: 'index.js', data: readFileSync(bundleFile) }]);
}

/**
 * A cdktf asset of the function archive (default: the bundle that ships with sg-sentry); pass its
 * `path` as `functionArchivePath`. The zip is staged under the OS temp directory by content hash,
 * and cdktf copies it into the stack.
 */
export function functionArchiveAsset(scope: Construct, id: string, bundleFile: string = bundledFunctionFile()): TerraformAsset {
  const zip = functionArchiveBytes(bundleFile);
  const staged = join(tmpdir(), `sg-sentry-function-${createHash('sha256').update(zip).digest('hex').slice(0, 16)}`, 'function.zip');
  if (!existsSync(staged)) {
    mkdirSync(join(staged, '..'), { recursive: true });
    writeFileSync(staged, zip);
  }
  return new TerraformAsset(scope, id, { path: staged, type: AssetType.FILE });
}
