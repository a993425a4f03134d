/**
 * Time to revoke, cold: fresh `node` processes, each loading the bundle and running one
 * violating Authorize event (ssh from 0.0.0.0/0, the default policy) through `handler`, against
 * a loopback stub of EC2 and SNS reached through the SDK's standard `AWS_ENDPOINT_URL`. Timed in
 * this process, on one clock: from spawn to the moment the Revoke request reaches the stub, and
 * to the child's exit. A bare `node -e ''` is spawned in the same run, interleaved, so the
 * distance to the floor (starting node at all) is visible; so are the SDK floor (bench/sdk-floor.ts:
 * the same two EC2 calls through the same client and nothing else) and the naive baseline bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAws } from '../../__tests__/helpers/fake-aws';
import { envelope, fixture } from '../../__tests__/helpers/fixtures';
import { childEnv, TOPIC } from '../bundle-at-stub';
import { runNode, taggedLine } from '../child-process';
import { atMost, stats, type BenchContext, type Scenario, type ScenarioResult } from '../scenario';

export const TIME_TO_REVOKE_FIXTURE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
/** Cold time to revoke within this multiple of a bare node start. */
export const TIME_TO_REVOKE_RATIO = 3.5;

interface Run {
  /** Spawn to the Revoke request at the stub; undefined for `node -e ''`. */
  readonly revokeMs?: number;
  readonly exitMs: number;
  readonly requireMs?: number;
  readonly revoked: boolean;
  readonly calls: readonly string[];
}

type Variant = { readonly kind: 'bare' } | { readonly kind: 'bundle'; readonly bundle: string };

async function runOnce(variant: Variant, aws: FakeAws, env: NodeJS.ProcessEnv, childScript: string, eventFile: string): Promise<Run> {
  aws.reset();
  if (variant.kind === 'bare') {
    const run = await runNode(['-e', ''], { env });
    return { exitMs: run.exitMs, revoked: false, calls: aws.calls.map((c) => c.action) };
  }
  const run = await runNode([childScript, variant.bundle, eventFile], { env });
  const result = taggedLine<{ requireMs: number; actions: string[] }>(run.stdout, 'RESULT');
  const revoke = aws.calls.find((c) => c.action.startsWith('RevokeSecurityGroup'));
  if (result === undefined || revoke === undefined) throw new Error(`no revoke from ${variant.bundle}: ${run.stdout}`);
  return {
    revokeMs: revoke.receivedAt - run.startedAt,
    exitMs: run.exitMs,
    requireMs: result.requireMs,
    revoked: result.actions.length > 0 && result.actions.every((a) => a === 'revoked'),
    calls: aws.calls.map((c) => c.action),
  };
}

/**
 * Spawns every variant `runs` times, interleaved, after one warm-up each (`'bare'` is
 * `node -e ''`, anything else a bundle path). Also used by hand to compare builds of a lever.
 */
export async function measureColdRevokes<K extends string>(
  root: string,
  variants: Readonly<Record<K, 'bare' | string>>,
  runs: number,
): Promise<Record<K, Run[]>> {
  const eventFile = join(root, 'dist/bench/time-to-revoke-event.json');
  mkdirSync(join(root, 'dist/bench'), { recursive: true });
  writeFileSync(eventFile, JSON.stringify(envelope(fixture(TIME_TO_REVOKE_FIXTURE))));
  const childScript = join(root, 'bench/cold-start-child.cjs');
  const aws = new FakeAws();
  const endpoint = await aws.start();
  const env = childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC });
  const entries = Object.entries(variants) as Array<[K, string]>;
  const variantOf = (path: string): Variant => (path === 'bare' ? { kind: 'bare' } : { kind: 'bundle', bundle: path });
  const result = Object.fromEntries(entries.map(([name]) => [name, [] as Run[]])) as Record<K, Run[]>;
  try {
    for (const [, path] of entries) await runOnce(variantOf(path), aws, env, childScript, eventFile);
    for (let i = 0; i < runs; i++) {
      for (const [name, path] of entries) result[name].push(await runOnce(variantOf(path), aws, env, childScript, eventFile));
    }
  } finally {
    await aws.stop();
  }
  return result;
}

export const timeToRevoke: Scenario = {
  name: 'timeToRevoke',
  title: 'time to revoke, cold',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log(
      `time to revoke: ${context.runs} fresh processes each of node -e '', our bundle, the SDK floor and the baseline, interleaved, after one warm-up each`,
    );
    const runs = await measureColdRevokes(
      context.root,
      { bare: 'bare', ours: context.bundle, sdkFloor: context.sdkFloorBundle, baseline: context.baselineBundle },
      context.runs,
    );

    const bare = stats(runs.bare.map((r) => r.exitMs));
    const revoke = stats(runs.ours.map((r) => r.revokeMs!));
    const exit = stats(runs.ours.map((r) => r.exitMs));
    const baselineRevoke = stats(runs.baseline.map((r) => r.revokeMs!));
    const floorRevoke = stats(runs.sdkFloor.map((r) => r.revokeMs!));
    const ratio = revoke.median / bare.median;
    const callSequences = [...new Set(runs.ours.map((r) => r.calls.join(', ')))];
    return {
      figures: [
        { key: 'bareNodeMedianMs', label: `node -e '', spawn to exit, median (n=${context.runs})`, value: bare.median, unit: 'ms' },
        { key: 'revokeMedianMs', label: 'spawn to Revoke at the stub, median', value: revoke.median, unit: 'ms' },
        { key: 'revokeP90Ms', label: 'spawn to Revoke at the stub, p90', value: revoke.p90, unit: 'ms' },
        {
          key: 'revokeRatioToBareNode',
          label: 'time to revoke / bare node, medians',
          value: ratio,
          unit: 'ratio',
          target: atMost(ratio, TIME_TO_REVOKE_RATIO, `<= ${TIME_TO_REVOKE_RATIO}x`),
        },
        { key: 'exitMedianMs', label: 'spawn to exit (after the SNS publish), median', value: exit.median, unit: 'ms' },
        { key: 'exitP90Ms', label: 'spawn to exit, p90', value: exit.p90, unit: 'ms' },
        {
          key: 'requireMedianMs',
          label: 'require() of the bundle in the child, median',
          value: stats(runs.ours.map((r) => r.requireMs!)).median,
          unit: 'ms',
        },
        {
          key: 'sdkFloorRevokeMedianMs',
          label: 'SDK floor (the EC2 client alone, same 2 calls): spawn to Revoke, median',
          value: floorRevoke.median,
          unit: 'ms',
        },
        {
          key: 'sdkFloorRatioToBareNode',
          label: 'SDK floor / bare node, medians',
          value: floorRevoke.median / bare.median,
          unit: 'ratio',
        },
        {
          key: 'aboveSdkFloorMs',
          label: "sg-sentry's own share: time to revoke - SDK floor, medians",
          value: revoke.median - floorRevoke.median,
          unit: 'ms',
        },
        {
          key: 'baselineRevokeMedianMs',
          label: 'naive baseline bundle: spawn to Revoke, median',
          value: baselineRevoke.median,
          unit: 'ms',
        },
        { key: 'everyRunRevoked', label: 'every run revoked the rule', value: String(runs.ours.every((r) => r.revoked)), unit: 'text' },
        { key: 'callsPerRun', label: 'calls per run, in order', value: callSequences.join(' | '), unit: 'text' },
      ],
      details: {
        fixture: TIME_TO_REVOKE_FIXTURE,
        runs: context.runs,
        bareNode: { exitMs: bare },
        ours: { revokeMs: revoke, exitMs: exit, requireMs: stats(runs.ours.map((r) => r.requireMs!)) },
        baseline: { revokeMs: baselineRevoke, exitMs: stats(runs.baseline.map((r) => r.exitMs)) },
        sdkFloor: { revokeMs: floorRevoke, exitMs: stats(runs.sdkFloor.map((r) => r.exitMs)) },
      },
    };
  },
};
