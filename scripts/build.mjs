// Bundles the Lambda (and, when present, the CLI) with esbuild.
// `mainFields: module,main` makes esbuild take the SDK's ES module builds, so code the
// function never calls is tree-shaken away: this decides the bundle size and cold start.
import { build } from 'esbuild';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A fixed mtime keeps the zipped asset, and so the synthesized module, byte-identical.
const PINNED_MTIME = new Date('2000-01-01T00:00:00Z');

const targets = [
  { entry: 'function/index.ts', outfile: 'dist/function/index.js', target: 'node22' },
  { entry: 'cli/main.ts', outfile: 'dist/cli/sg-sentry.js', target: 'node20', banner: '#!/usr/bin/env node' },
];

for (const t of targets) {
  const entry = join(root, t.entry);
  if (!existsSync(entry)) continue;
  const outfile = join(root, t.outfile);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: t.target,
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    banner: t.banner ? { js: t.banner } : undefined,
    logLevel: 'warning',
  });
  utimesSync(outfile, PINNED_MTIME, PINNED_MTIME);
}
