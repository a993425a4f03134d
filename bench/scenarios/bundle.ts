/**
 * The bundle: its size as Lambda counts it (a one-file zip), what dominates it, and what of it
 * runs when it is loaded (before the revoke) against what is loaded on first use, after it.
 * esbuild evaluates a module reached only through `require()` or `import()` when that call runs,
 * so walking the metafile from the entry along static imports finds what runs at load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { atMost, type BenchContext, type Scenario, type ScenarioResult } from '../scenario';

const ZIPPED_LIMIT_BYTES = 250 * 1024;

/** The size Lambda counts: a zip archive holding the one file, deflated. */
export function zippedSize(file: string): number {
  const data = readFileSync(file);
  const name = Buffer.byteLength('index.js');
  const localHeader = 30 + name;
  const centralHeader = 46 + name;
  const endOfCentralDirectory = 22;
  return localHeader + deflateRawSync(data, { level: 9 }).length + centralHeader + endOfCentralDirectory;
}

/** `@aws-sdk/client-ec2`, `zod`, or our own folder (`function/adapters`). */
function packageOf(file: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  return pkg ?? file.split('/').slice(0, 2).join('/');
}

export interface LoadSplit {
  readonly eagerBytes: number;
  readonly lazyBytes: number;
  /** Packages with bytes evaluated only on first use, largest first. */
  readonly lazyPackages: ReadonlyArray<{ readonly module: string; readonly bytes: number }>;
  readonly eagerPackages: ReadonlyArray<{ readonly module: string; readonly bytes: number }>;
}

/** Splits the bundle's bytes into those evaluated at load and those behind `require()`/`import()`. */
export function loadSplit(metafile: Metafile, entry: string): LoadSplit {
  const output = Object.values(metafile.outputs)[0]!;
  const eager = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (eager.has(file)) continue;
    eager.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
    }
  }
  const sum = (files: Array<[string, { bytesInOutput: number }]>) => {
    const byPackage = new Map<string, number>();
    for (const [file, input] of files) byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + input.bytesInOutput);
    return [...byPackage]
      .map(([module, bytes]) => ({ module, bytes }))
      .filter((p) => p.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes);
  };
  const inputs = Object.entries(output.inputs);
  const eagerInputs = inputs.filter(([file]) => eager.has(file));
  const lazyInputs = inputs.filter(([file]) => !eager.has(file));
  return {
    eagerBytes: eagerInputs.reduce((n, [, i]) => n + i.bytesInOutput, 0),
    lazyBytes: lazyInputs.reduce((n, [, i]) => n + i.bytesInOutput, 0),
    eagerPackages: sum(eagerInputs),
    lazyPackages: sum(lazyInputs),
  };
}

const kb = (bytes: number) => bytes / 1024;

export const bundle: Scenario = {
  name: 'bundle',
  title: 'bundle',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const { build } = await import('esbuild');
    const scripts = await import(pathToFileURL(join(context.root, 'scripts/build.mjs')).href);
    const target = scripts.targets[0];
    const result = await build({ ...scripts.buildOptions(target), write: false, logLevel: 'silent' });
    const split = loadSplit(result.metafile!, target.entry);
    const zipped = zippedSize(context.bundle);
    const baselineZipped = zippedSize(context.baselineBundle);
    const composition = [...split.eagerPackages, ...split.lazyPackages].reduce(
      (m, p) => m.set(p.module, (m.get(p.module) ?? 0) + p.bytes),
      new Map<string, number>(),
    );
    const top = [...composition].sort((a, b) => b[1] - a[1]).slice(0, 8);
    const list = (packages: LoadSplit['lazyPackages']) =>
      packages
        .slice(0, 10)
        .map((p) => `${p.module} ${kb(p.bytes).toFixed(1)} KB`)
        .join(', ');
    return {
      figures: [
        { key: 'rawKb', label: 'bundle, raw', value: kb(readFileSync(context.bundle).length), unit: 'KB' },
        {
          key: 'zippedKb',
          label: 'bundle, zipped (deflate)',
          value: kb(zipped),
          unit: 'KB',
          target: atMost(zipped, ZIPPED_LIMIT_BYTES, '<= 250 KB'),
        },
        { key: 'evaluatedAtLoadKb', label: 'bundle code evaluated at load (before the revoke)', value: kb(split.eagerBytes), unit: 'KB' },
        {
          key: 'evaluatedOnFirstUseKb',
          label: 'bundle code evaluated on first use (after the revoke)',
          value: kb(split.lazyBytes),
          unit: 'KB',
        },
        { key: 'baselineZippedKb', label: 'naive baseline bundle, zipped', value: kb(baselineZipped), unit: 'KB' },
      ],
      details: { composition: [...composition].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes), split },
      notes: [
        `largest parts of the bundle: ${top.map(([m, b]) => `${m} ${kb(b).toFixed(1)} KB`).join(', ')}`,
        `evaluated on first use: ${list(split.lazyPackages) || 'nothing'}`,
      ],
    };
  },
};
