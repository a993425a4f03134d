/**
 * `npm run bench`: builds the Lambda bundle and a naive baseline in the same run, then measures
 * them side by side: bundle size, cold start, evaluations per second, calls per event, synth
 * time and an event storm (docs/performance.md explains each). Prints one table and writes
 * bench/results.json. It measures; `npm test` asserts behaviour and never timings.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { ec2Ok, FakeAws } from '../__tests__/helpers/fake-aws';
import { envelope, fixture } from '../__tests__/helpers/fixtures';
import { judgeRules } from '../function/core/judge/judge';
import { evaluateRule } from '../function/core/judge/containment';
import type { Rule } from '../function/core/model/rule';
import { parseEvent } from '../function/core/event/parse-event';
import { loadPolicy } from '../function/core/policy/policy';
import { loadCorpus } from './corpus';
import { organizationSweep } from './organization-sweep';

const ROOT = join(__dirname, '..');
const OURS = join(ROOT, 'dist/function/index.js');
const BASELINE = join(ROOT, 'dist/bench/baseline/index.js');
const RESULTS = join(ROOT, 'bench/results.json');
const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 25));
const COLD_START_FIXTURE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const TOPIC = 'arn:aws:sns:us-east-1:776520358045:sg-sentry';

const TARGETS = {
  zippedBytes: 250 * 1024,
  coldStartRatio: 0.5,
  ruleEvaluationsPerSecond: 100_000,
  synthSeconds: 2,
};

interface Stats {
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { median: at(0.5), p90: at(0.9), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

// ---------------------------------------------------------------- machine

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  return { cpu: model, nproc: Number(nproc), node: process.version, os: `${platform()} ${release()}`, memoryGb: Math.round(totalmem() / 2 ** 30) };
}

// ---------------------------------------------------------------- bundles

/** The size Lambda counts: a zip archive holding the one file, deflated. */
function zippedSize(file: string): number {
  const data = readFileSync(file);
  const name = Buffer.byteLength('index.js');
  const localHeader = 30 + name;
  const centralHeader = 46 + name;
  const endOfCentralDirectory = 22;
  return localHeader + deflateRawSync(data, { level: 9 }).length + centralHeader + endOfCentralDirectory;
}

async function buildBundles() {
  log('building dist/function/index.js (scripts/build.mjs)');
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  log('building the naive baseline (bench/baseline.build.mjs)');
  mkdirSync(dirname(BASELINE), { recursive: true });
  const baseline = await import(pathToFileURL(join(ROOT, 'bench/baseline.build.mjs')).href);
  await baseline.buildBaseline(BASELINE);
  return {
    ours: { rawBytes: readFileSync(OURS).length, zippedBytes: zippedSize(OURS) },
    baseline: { rawBytes: readFileSync(BASELINE).length, zippedBytes: zippedSize(BASELINE) },
  };
}

/** What dominates our bundle, by package, from esbuild's metafile. */
async function bundleComposition(): Promise<Array<{ module: string; bytes: number }>> {
  const { build } = await import('esbuild');
  const scripts = await import(pathToFileURL(join(ROOT, 'scripts/build.mjs')).href);
  const result = await build({ ...scripts.buildOptions(scripts.targets[0]), write: false, logLevel: 'silent' });
  const output = Object.values(result.metafile?.outputs ?? {})[0] as { inputs: Record<string, { bytesInOutput: number }> };
  const byModule = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
    byModule.set(pkg, (byModule.get(pkg) ?? 0) + input.bytesInOutput);
  }
  return [...byModule].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

// ---------------------------------------------------------------- cold start

interface ColdRun {
  readonly spawnToResultMs: number;
  readonly requireMs: number;
  readonly handlerMs: number;
  readonly actions: readonly string[];
  readonly calls: readonly string[];
}

function coldStart(bundle: string, eventFile: string, aws: FakeAws, env: NodeJS.ProcessEnv, respond?: (aws: FakeAws) => void): Promise<ColdRun> {
  aws.reset();
  respond?.(aws);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bench/cold-start-child.cjs'), bundle, eventFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let result: Omit<ColdRun, 'calls'> | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line !== undefined && result === undefined) {
        const spawnToResultMs = performance.now() - started;
        result = { spawnToResultMs, ...JSON.parse(line.slice(7)) };
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (result === undefined || code !== 0) reject(new Error(`cold start of ${relative(ROOT, bundle)} failed (${code}): ${stdout}${stderr}`));
      else resolve({ ...result, calls: aws.calls.map((c) => c.action) });
    });
  });
}

function describeRulesResponder(aws: FakeAws): void {
  aws.respond((call) => {
    if (call.action !== 'DescribeSecurityGroupRules') return undefined;
    const ids = Object.entries(call.params).filter(([k]) => k.startsWith('SecurityGroupRuleId.')).map(([, v]) => v);
    const items = ids
      .map((id) => `<item><securityGroupRuleId>${id}</securityGroupRuleId><groupId>sg-0632fa4ee8a8468a4</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><cidrIpv4>0.0.0.0/0</cidrIpv4></item>`)
      .join('');
    return { body: ec2Ok('DescribeSecurityGroupRules', `<securityGroupRuleSet>${items}</securityGroupRuleSet>`) };
  });
}

async function coldStarts(aws: FakeAws, env: NodeJS.ProcessEnv) {
  const eventFile = join(ROOT, 'dist/bench/cold-start-event.json');
  writeFileSync(eventFile, JSON.stringify(envelope(fixture(COLD_START_FIXTURE))));
  const bundles = { ours: OURS, baseline: BASELINE } as const;
  const runs: Record<keyof typeof bundles, ColdRun[]> = { ours: [], baseline: [] };
  log(`cold start: ${RUNS} fresh node processes per bundle, interleaved, after one warm-up each`);
  for (const bundle of Object.values(bundles)) await coldStart(bundle, eventFile, aws, env);
  for (let i = 0; i < RUNS; i++) {
    for (const [name, bundle] of Object.entries(bundles) as Array<[keyof typeof bundles, string]>) {
      runs[name].push(await coldStart(bundle, eventFile, aws, env));
    }
  }
  const summary = (list: ColdRun[]) => ({
    runs: list.length,
    spawnToResultMs: stats(list.map((r) => r.spawnToResultMs)),
    requireMs: stats(list.map((r) => r.requireMs)),
    handlerMs: stats(list.map((r) => r.handlerMs)),
    everyRunRevoked: list.every((r) => r.actions.length > 0 && r.actions.every((a) => a === 'revoked')),
    callsPerRun: [...new Set(list.map((r) => r.calls.join(',')))],
  });
  return { fixture: COLD_START_FIXTURE, ours: summary(runs.ours), baseline: summary(runs.baseline) };
}

/** EC2 and SNS calls, counted at the fake server, for every violating event of the corpus. */
async function callsPerViolatingEvent(aws: FakeAws, env: NodeJS.ProcessEnv) {
  const events = loadCorpus().filter((e) => e.violations > 0);
  log(`calls per violating event: ${events.length} corpus events through the built bundle`);
  const perEvent: Array<{
    fixture: string;
    eventName: string;
    violations: number;
    ec2Calls: number;
    snsCalls: number;
    ec2Actions: string[];
    allRevoked: boolean;
  }> = [];
  for (const e of events) {
    const eventFile = join(ROOT, 'dist/bench/calls-event.json');
    writeFileSync(eventFile, JSON.stringify(e.event));
    const run = await coldStart(OURS, eventFile, aws, env, describeRulesResponder);
    const sns = run.calls.filter((c) => c === 'Publish').length;
    perEvent.push({
      fixture: e.name,
      eventName: e.event.detail.eventName as string,
      violations: e.violations,
      ec2Calls: run.calls.length - sns,
      snsCalls: sns,
      ec2Actions: run.calls.filter((c) => c !== 'Publish'),
      allRevoked: run.actions.filter((a) => a !== 'none').every((a) => a === 'revoked'),
    });
  }
  const authorize = perEvent.filter((e) => e.eventName.startsWith('Authorize'));
  const modify = perEvent.filter((e) => e.eventName === 'ModifySecurityGroupRules');
  const range = (list: typeof perEvent, key: 'ec2Calls' | 'snsCalls') => {
    const values = list.map((e) => e[key]);
    return values.length === 0 ? 'n/a' : Math.min(...values) === Math.max(...values) ? String(values[0]) : `${Math.min(...values)}-${Math.max(...values)}`;
  };
  return {
    events: perEvent.length,
    authorize: { events: authorize.length, ec2Calls: range(authorize, 'ec2Calls'), snsCalls: range(authorize, 'snsCalls') },
    modify: { events: modify.length, ec2Calls: range(modify, 'ec2Calls'), snsCalls: range(modify, 'snsCalls') },
    perEvent,
  };
}

// ---------------------------------------------------------------- evaluation throughput

function timeLoop(body: () => number, seconds: number): number {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) body();
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    count += body();
    elapsed = performance.now() - started;
  }
  return count / (elapsed / 1000);
}

function throughput() {
  log('evaluation throughput (warm, in process)');
  const policy = loadPolicy(undefined);
  const corpus = loadCorpus();
  const rules = corpus.flatMap((e) => e.rules);
  const corpusRate = timeLoop(() => {
    for (const rule of rules) evaluateRule(rule, policy);
    return rules.length;
  }, 1);
  // Distinct public /32s defeat the evaluator's parsed-CIDR cache: the rate when every source is new.
  const template = rules.find((r) => r.source.kind === 'cidr' && r.source.family === 'ipv4')!;
  const distinct: Rule[] = Array.from({ length: 20_000 }, (_, i) => ({
    ...template,
    source: { kind: 'cidr', family: 'ipv4', cidr: `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.7/32` },
  }));
  const distinctRate = timeLoop(() => {
    for (const rule of distinct) evaluateRule(rule, policy);
    return distinct.length;
  }, 1);
  const events = corpus.map((e) => e.event);
  const eventRate = timeLoop(() => {
    for (const event of events) {
      const parsed = parseEvent(event);
      if (parsed.kind === 'change') judgeRules(parsed.change.rules, policy);
    }
    return events.length;
  }, 1);
  return {
    corpusRules: rules.length,
    corpusEvents: events.length,
    ruleEvaluationsPerSecond: corpusRate,
    distinctCidrRuleEvaluationsPerSecond: distinctRate,
    eventsParsedAndJudgedPerSecond: eventRate,
  };
}

// ---------------------------------------------------------------- synth

type SynthResult =
  | { readonly available: false; readonly reason: string }
  | { readonly available: true; readonly failed: string }
  | { readonly available: true; readonly command: string; readonly seconds: Stats; readonly peakRssMb: number | null; readonly peakRssSource: string };

function synth(): SynthResult {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (typeof scripts.synth !== 'string') return { available: false, reason: 'no synth script' };
  const gnuTime = existsSync('/usr/bin/time');
  const runs = [];
  log(`npm run synth, 3 runs${gnuTime ? ' under /usr/bin/time -v' : ''}`);
  for (let i = 0; i < 3; i++) {
    const command = gnuTime ? '/usr/bin/time' : 'npm';
    const args = gnuTime ? ['-v', 'npm', 'run', 'synth', '--silent'] : ['run', 'synth', '--silent'];
    const started = performance.now();
    const child = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const seconds = (performance.now() - started) / 1000;
    if (child.status !== 0) return { available: true, failed: `exit ${child.status}: ${child.stderr.slice(-2000)}` };
    const maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? NaN);
    runs.push({ seconds, peakRssMb: Number.isNaN(maxRssKb) ? null : maxRssKb / 1024 });
  }
  return {
    available: true,
    command: `npm run synth (${scripts.synth})`,
    seconds: stats(runs.map((r) => r.seconds)),
    peakRssMb: runs.every((r) => r.peakRssMb !== null) ? Math.max(...runs.map((r) => r.peakRssMb ?? 0)) : null,
    peakRssSource: gnuTime ? '/usr/bin/time -v (largest process of the tree)' : 'n/a (no /usr/bin/time)',
  };
}

// ---------------------------------------------------------------- storm

function storm() {
  log('event storm: 2,000 events in process, mocked clients');
  const child = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', join(ROOT, 'bench/storm.ts')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('STORM '));
  if (child.status !== 0 || line === undefined) throw new Error(`storm failed: ${child.stderr}`);
  return JSON.parse(line.slice(6));
}

// ---------------------------------------------------------------- report

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const check = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function table(rows: ReadonlyArray<readonly [string, string, string, string]>): string {
  const header = ['measure', 'ours', 'naive baseline', 'target'] as const;
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const host = machine();
  const sizes = await buildBundles();
  const composition = await bundleComposition();

  const aws = new FakeAws();
  const endpoint = await aws.start();
  const env = FakeAws.env(endpoint, { SENTRY_TOPIC_ARN: TOPIC });
  let cold;
  let calls;
  try {
    cold = await coldStarts(aws, env);
    calls = await callsPerViolatingEvent(aws, env);
  } finally {
    await aws.stop();
  }
  const speed = throughput();
  const synthResult = synth();
  const stormResult = storm();
  const organization = await organizationSweep(log);

  const ratio = cold.ours.spawnToResultMs.median / cold.baseline.spawnToResultMs.median;
  const rows: Array<[string, string, string, string]> = [
    ['bundle size, raw', kb(sizes.ours.rawBytes), kb(sizes.baseline.rawBytes), ''],
    ['bundle size, zipped (deflate)', kb(sizes.ours.zippedBytes), kb(sizes.baseline.zippedBytes), `<= 250 KB: ${check(sizes.ours.zippedBytes <= TARGETS.zippedBytes)}`],
    [`cold start, spawn to result, median (n=${RUNS})`, ms(cold.ours.spawnToResultMs.median), ms(cold.baseline.spawnToResultMs.median), `<= half: ${check(ratio <= TARGETS.coldStartRatio)} (${(ratio * 100).toFixed(0)}%)`],
    ['cold start, spawn to result, p90', ms(cold.ours.spawnToResultMs.p90), ms(cold.baseline.spawnToResultMs.p90), ''],
    ['require() of the bundle, median', ms(cold.ours.requireMs.median), ms(cold.baseline.requireMs.median), ''],
    ['require() of the bundle, p90', ms(cold.ours.requireMs.p90), ms(cold.baseline.requireMs.p90), ''],
    ['first handler call (revoke + publish), median', ms(cold.ours.handlerMs.median), ms(cold.baseline.handlerMs.median), ''],
    ['every cold run revoked the rule', String(cold.ours.everyRunRevoked), String(cold.baseline.everyRunRevoked), ''],
    [`rule evaluations, corpus (${speed.corpusRules} rules, warm)`, rate(speed.ruleEvaluationsPerSecond), '', `>= 100,000/s: ${check(speed.ruleEvaluationsPerSecond >= TARGETS.ruleEvaluationsPerSecond)}`],
    ['rule evaluations, every CIDR new (cache misses)', rate(speed.distinctCidrRuleEvaluationsPerSecond), '', ''],
    [`events parsed + judged (${speed.corpusEvents} events)`, rate(speed.eventsParsedAndJudgedPerSecond), '', ''],
    ...(synthResult.available
      ? 'failed' in synthResult
        ? [['npm run synth', `failed: ${synthResult.failed.split('\n')[0]}`, '', ''] as [string, string, string, string]]
        : ([
            ['npm run synth, wall time, median of 3', `${synthResult.seconds.median.toFixed(2)} s`, '', `< 2 s: ${check(synthResult.seconds.median < TARGETS.synthSeconds)}`],
            ['npm run synth, peak RSS', synthResult.peakRssMb === null ? 'n/a' : `${synthResult.peakRssMb.toFixed(0)} MB`, '', ''],
          ] as Array<[string, string, string, string]>)
      : [['synth', 'n/a (no synth script)', '', ''] as [string, string, string, string]]),
    [`EC2 / SNS calls per violating Authorize event (${calls.authorize.events})`, `${calls.authorize.ec2Calls} / ${calls.authorize.snsCalls}`, '', 'DescribeSecurityGroups + Revoke / 1'],
    [`EC2 / SNS calls per violating Modify event (${calls.modify.events})`, `${calls.modify.ec2Calls} / ${calls.modify.snsCalls}`, '', 'Describe + Revoke / 1'],
    [`event storm: ${stormResult.events} events, every violation revoked`, `${stormResult.allRevoked} (${stormResult.revoked}/${stormResult.violations})`, '', ''],
    ['event storm: throughput', rate(stormResult.eventsPerSecond), '', ''],
    ['event storm: peak RSS / heap used', `${stormResult.peakRssMb.toFixed(0)} MB / ${stormResult.peakHeapMb.toFixed(0)} MB`, '', ''],
    ['event storm: heap before / after, collected', `${stormResult.heapBeforeMb.toFixed(0)} MB / ${stormResult.heapAfterGcMb?.toFixed(0) ?? 'n/a'} MB`, '', ''],
    ...organization.figures.map((f): [string, string, string, string] => [f.label, ms(f.value), '', `${f.target.text}: ${check(f.target.met)}`]),
  ];

  const output = [
    `sg-sentry benchmark, ${startedAt}`,
    `machine: ${host.nproc} x ${host.cpu}, ${host.memoryGb} GB, ${host.os}, node ${host.node}`,
    '',
    table(rows),
    '',
    `largest parts of our bundle: ${composition.slice(0, 8).map((c) => `${c.module} ${kb(c.bytes)}`).join(', ')}`,
    ...organization.notes,
    `event storm started at RSS ${stormResult.rssBeforeMb.toFixed(0)} MB / heap ${stormResult.heapBeforeMb.toFixed(0)} MB (runtime, SDK, mocks, corpus loaded)`,
  ].join('\n');
  process.stdout.write(`${output}\n`);

  const results = {
    startedAt,
    machine: host,
    targets: TARGETS,
    bundle: { ...sizes, composition: composition.slice(0, 25) },
    coldStart: { ...cold, medianRatio: ratio },
    throughput: speed,
    synth: synthResult,
    callsPerViolatingEvent: calls,
    storm: stormResult,
    organizationSweep: { figures: organization.figures, ...organization.details },
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${relative(ROOT, RESULTS)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
