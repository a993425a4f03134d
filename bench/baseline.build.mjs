// The naive baseline the benchmark compares against: what a first esbuild setup produces.
// Every package is taken from its CommonJS entry point (`main`, or `exports.require`), as
// `require()` would load it, so nothing is tree-shaken; no minification; no plugins.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const commonJsEntryPoints = {
  name: 'commonjs-entry-points',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      if (args.pluginData?.commonJs) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: 'require-call',
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { commonJs: true },
      });
      return resolved.errors.length > 0 ? undefined : resolved;
    });
  },
};

export function baselineOptions(outfile) {
  return {
    entryPoints: [join(root, 'function/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    mainFields: ['main'],
    minify: false,
    logLevel: 'warning',
    plugins: [commonJsEntryPoints],
    metafile: true,
  };
}

export async function buildBaseline(outfile) {
  return build(baselineOptions(outfile));
}
