// Bundles the Lambda (and, when present, the CLI) with esbuild.
// `mainFields: module,main` makes esbuild take the SDK's ES module builds, so code the
// function never calls is tree-shaken away: this decides the bundle size and cold start.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, realpathSync, utimesSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A fixed mtime keeps the zipped asset, and so the synthesized module, byte-identical.
const PINNED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * The SDK's generated schema modules (`schemas_N.js` under each client's `dist-es/schemas/`)
 * write trait objects with computed keys (`{ [_xN]: _m }`, `_xN` a module-level string const).
 * esbuild cannot prove a computed key free of side effects, so it keeps every schema of the
 * service: 550 KB of the 1.3 MB bundle for EC2. Writing the const's string literal in place of
 * the key is the same object, and lets tree-shaking keep only the schemas of the commands we send.
 */
export const sdkSchemaTreeShaking = {
  name: 'sdk-schema-tree-shaking',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const literals = new Map();
      for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) literals.set(m[1], m[2]);
      const contents = source.replace(/\[(_\w+)\]:/g, (key, name) => (literals.has(name) ? `${literals.get(name)}:` : key));
      return { contents, loader: 'js' };
    });
  },
};

/** The file of `pkg/dist-es` that defines `name`: `XClient.js`, `commands/YCommand.js`, or `models/errors.js` for a modeled error. */
function definingFile(pkg, name) {
  const candidates = name.endsWith('Command') ? [`commands/${name}.js`] : name.endsWith('Client') ? [`${name}.js`] : ['models/errors.js'];
  return candidates.find((file) => {
    const path = join(root, 'node_modules', pkg, 'dist-es', file);
    return existsSync(path) && (file !== 'models/errors.js' || new RegExp(`^export class ${name} `, 'm').test(readFileSync(path, 'utf8')));
  });
}

/** `{ A, B }` of an import or export statement from `pkg`, each from the file that defines it. */
function deepStatements(keyword, names, pkg, where) {
  return names
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      const file = definingFile(pkg, name);
      if (file === undefined)
        throw new Error(`${where}: cannot find the module of ${name} in ${pkg}/dist-es; name only XClient, YCommand and modeled errors`);
      return `${keyword} { ${name} } from '${pkg}/dist-es/${file}';`;
    })
    .join('\n');
}

/**
 * The `function/adapters/*-sdk.ts` modules are loaded with `require()` on first use, so esbuild
 * wraps them, and everything they import, to run when that call does. A wrapped package index
 * (`export * from './commands'`, …) then initializes every command and schema of the service:
 * tree-shaking stops at the lazy boundary (SSM grew from 67 KB to 171 KB). This points each name
 * such a module re-exports from `@aws-sdk/client-*` at the file that defines it (`XClient` in
 * `dist-es/XClient.js`, `YCommand` in `dist-es/commands/YCommand.js`), which is the same code
 * the package index re-exports, so only what is named is bundled. Tests import the package as
 * usual: the names and the classes are the same.
 *
 * Powertools' DynamoDB persistence layer (idempotency, behind the same kind of lazy boundary)
 * imports its four commands from the package index too, which bundled all 63 commands of
 * DynamoDB and their schemas (76 KB); its import statement is pointed at the same files.
 */
export const lazySdkDeepImports = {
  name: 'lazy-sdk-deep-imports',
  setup(build) {
    build.onLoad({ filter: /[\\/]function[\\/]adapters[\\/][^\\/]+-sdk\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(/export \{([^}]*)\} from '(@aws-sdk\/client-[a-z0-9-]+)';/g, (_, names, pkg) =>
        deepStatements('export', names, pkg, args.path),
      );
      return { contents, loader: 'ts' };
    });
    build.onLoad(
      { filter: /[\\/]@aws-lambda-powertools[\\/]idempotency[\\/]lib[\\/]esm[\\/]persistence[\\/]DynamoDBPersistenceLayer\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        let found = false;
        const contents = source.replace(/import \{([^}]*)\} from '(@aws-sdk\/client-dynamodb)';/g, (_, names, pkg) => {
          found = true;
          return deepStatements('import', names, pkg, args.path);
        });
        if (!found) throw new Error(`${args.path}: no import from @aws-sdk/client-dynamodb to point at its files; see lazySdkDeepImports`);
        return { contents, loader: 'js' };
      },
    );
  },
};

/** Bundled zod locales mean some file wrote `import { z } from 'zod'`, which esbuild cannot shake. */
function warnOnWholeZod(metafile, outfile) {
  const inputs = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs));
  const locales = inputs.filter(([f, i]) => i.bytesInOutput > 0 && /[\\/]zod[\\/]v4[\\/]locales[\\/](?!en\.js)/.test(f));
  if (locales.length > 0) {
    console.warn(
      `warning: ${outfile} bundles all of zod (${locales.length} locales): import it as \`import * as z from 'zod'\`, not \`import { z }\`.`,
    );
  }
}

export const targets = [
  {
    entry: 'function/index.ts',
    outfile: 'dist/function/index.js',
    target: 'node22',
    // The SDK loads a few Node built-ins with `await import('node:…')` (node:http for an http://
    // endpoint, node:async_hooks with AWS_LAMBDA_MAX_CONCURRENCY). In a CommonJS bundle the first
    // such import starts Node's ES module loader, a few milliseconds before the first EC2 call;
    // written as require() the same built-in is loaded without it.
    supported: { 'dynamic-import': false },
  },
  { entry: 'cli/main.ts', outfile: 'dist/cli/sg-sentry.js', target: 'node20', banner: '#!/usr/bin/env node' },
];

/** The esbuild options of one target; `npm run bench` builds with them to analyse the bundle. */
export function buildOptions(t) {
  return {
    entryPoints: [join(root, t.entry)],
    outfile: join(root, t.outfile),
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
    plugins: [...(t.plugins ?? []), sdkSchemaTreeShaking, lazySdkDeepImports],
    ...(t.supported ? { supported: t.supported } : {}),
    metafile: true,
  };
}

// Build when run as a script, not when the benchmark imports the options. Real paths, because
// import.meta.url is resolved through symlinks and argv[1] is not.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const t of targets) {
    if (!existsSync(join(root, t.entry))) continue;
    const outfile = join(root, t.outfile);
    mkdirSync(dirname(outfile), { recursive: true });
    const result = await build(buildOptions(t));
    warnOnWholeZod(result.metafile, t.outfile);
    utimesSync(outfile, PINNED_MTIME, PINNED_MTIME);
  }
}
