/**
 * `npm run bench [scenario…]`: builds the Lambda bundle and a naive baseline, runs the scenarios
 * below (all, or those named), prints each figure beside its target and beside the same figure
 * of the previous run's bench/results.json, then writes the new results there (scenarios not run
 * keep their previous entry). docs/performance.md explains each scenario. It measures;
 * `npm test` asserts behaviour and never timings.
 */
import { spawnSync } from 'node:child_process';
import { build as esbuild } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext, Figure, Scenario, ScenarioResult } from './scenario';
import { bundle } from './scenarios/bundle';
import { callsByPolicy } from './scenarios/calls-by-policy';
import { callsPerEvent } from './scenarios/calls-per-event';
import { eventStorm } from './scenarios/event-storm';
import { organizationSweep } from './scenarios/organization-sweep';
import { prefixListCalls } from './scenarios/prefix-list-calls';
import { securityHubWrites } from './scenarios/security-hub-writes';
import { stateWrites } from './scenarios/state-writes';
import { sweep } from './scenarios/sweep';
import { synth } from './scenarios/synth';
import { throughput } from './scenarios/throughput';
import { timeToRevoke } from './scenarios/time-to-revoke';

/** Every scenario, in the order they run and print. A new scenario is a file in scenarios/ and a line here. */
const SCENARIOS: readonly Scenario[] = [
  bundle,
  timeToRevoke,
  callsPerEvent,
  callsByPolicy,
  prefixListCalls,
  throughput,
  sweep,
  stateWrites,
  securityHubWrites,
  eventStorm,
  organizationSweep,
  synth,
];

const ROOT = join(__dirname, '..');
const RESULTS = join(ROOT, 'bench/results.json');
const RUNS = Math.max(30, Number(process.env.BENCH_RUNS ?? 30));

interface StoredScenario {
  readonly title: string;
  readonly measuredAt: string;
  readonly figures: Readonly<
    Record<
      string,
      { readonly value: number | string; readonly unit: string; readonly label: string; readonly target?: string; readonly met?: boolean }
    >
  >;
  readonly details?: unknown;
}

interface Results {
  readonly startedAt: string;
  readonly machine: ReturnType<typeof machine>;
  readonly scenarios: Readonly<Record<string, StoredScenario>>;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  return {
    cpu: model,
    nproc: Number(nproc),
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
  };
}

function previousResults(): Results | undefined {
  if (!existsSync(RESULTS)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(RESULTS, 'utf8')) as Partial<Results>;
    return parsed.scenarios !== undefined ? (parsed as Results) : undefined;
  } catch {
    log(`${relative(ROOT, RESULTS)} is not readable JSON; comparing against nothing`);
    return undefined;
  }
}

async function buildBundles(): Promise<{ bundle: string; baselineBundle: string; sdkFloorBundle: string }> {
  const ours = join(ROOT, 'dist/function/index.js');
  const baseline = join(ROOT, 'dist/bench/baseline/index.js');
  const sdkFloor = join(ROOT, 'dist/bench/sdk-floor/index.js');
  log('building dist/function/index.js (scripts/build.mjs)');
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  log('building the naive baseline (bench/baseline.build.mjs)');
  mkdirSync(dirname(baseline), { recursive: true });
  const module = await import(pathToFileURL(join(ROOT, 'bench/baseline.build.mjs')).href);
  await module.buildBaseline(baseline);
  log("building the SDK floor (bench/sdk-floor.ts, with the bundle's esbuild options)");
  const options = await import(pathToFileURL(join(ROOT, 'scripts/build.mjs')).href);
  const [lambda] = options.targets;
  await esbuild({ ...options.buildOptions(lambda), entryPoints: [join(ROOT, 'bench/sdk-floor.ts')], outfile: sdkFloor });
  return { bundle: ours, baselineBundle: baseline, sdkFloorBundle: sdkFloor };
}

function formatValue(value: number | string, unit: string): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${value.toFixed(1)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case 'KB':
      return `${value.toFixed(1)} KB`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'per-second':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'ratio':
      return `${value.toFixed(2)}x`;
    default:
      return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
  }
}

/** "+12%" beside a number that moved; the previous text when the figure is text. */
function previousColumn(figure: Figure, previous: StoredScenario['figures'][string] | undefined): string {
  if (previous === undefined) return '-';
  const before = formatValue(previous.value, previous.unit);
  if (typeof figure.value !== 'number' || typeof previous.value !== 'number' || previous.value === 0 || Number.isNaN(previous.value))
    return before;
  const change = ((figure.value - previous.value) / Math.abs(previous.value)) * 100;
  return `${before} (${change >= 0 ? '+' : ''}${change.toFixed(0)}%)`;
}

function table(rows: ReadonlyArray<readonly string[]>): string {
  const header = ['measure', 'this run', 'previous run (change)', 'target'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const selected = wanted.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => wanted.includes(s.name));

  const startedAt = new Date().toISOString();
  const host = machine();
  const previous = previousResults();
  const built = await buildBundles();
  const context: BenchContext = { root: ROOT, ...built, runs: RUNS, log };

  const ran: Array<[Scenario, ScenarioResult, string]> = [];
  for (const scenario of selected) {
    const measuredAt = new Date().toISOString();
    ran.push([scenario, await scenario.run(context), measuredAt]);
  }

  const rows: string[][] = [];
  const notes: string[] = [];
  for (const [scenario, result] of ran) {
    rows.push([`[${scenario.title}]`, '', '', '']);
    for (const figure of result.figures) {
      const target = figure.target === undefined ? '' : `${figure.target.text}: ${figure.target.met ? 'met' : 'NOT MET'}`;
      rows.push([
        `  ${figure.label}`,
        formatValue(figure.value, figure.unit),
        previousColumn(figure, previous?.scenarios[scenario.name]?.figures[figure.key]),
        target,
      ]);
    }
    notes.push(...(result.notes ?? []));
  }
  const comparedWith = previous === undefined ? 'no previous results' : `previous results of ${previous.startedAt}`;
  process.stdout.write(
    [
      `sg-sentry benchmark, ${startedAt} (${comparedWith})`,
      `machine: ${host.nproc} x ${host.cpu}, ${host.memoryGb} GB, ${host.os}, node ${host.node}`,
      '',
      table(rows),
      '',
      ...notes,
      '',
    ].join('\n'),
  );

  const scenarios: Record<string, StoredScenario> = { ...(previous?.scenarios ?? {}) };
  for (const [scenario, result, measuredAt] of ran) {
    scenarios[scenario.name] = {
      title: scenario.title,
      measuredAt,
      figures: Object.fromEntries(
        result.figures.map((f) => [
          f.key,
          { value: f.value, unit: f.unit, label: f.label, ...(f.target ? { target: f.target.text, met: f.target.met } : {}) },
        ]),
      ),
      ...(result.details !== undefined ? { details: result.details } : {}),
    };
  }
  const results: Results = { startedAt, machine: host, scenarios };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${relative(ROOT, RESULTS)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
