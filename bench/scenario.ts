/**
 * What a benchmark scenario is: a name (its key in bench/results.json), and a run that returns
 * figures. `bench/run.ts` runs the list of scenarios, prints every figure beside its target and
 * beside the same figure of the previous run's results.json, and writes the new results.
 */
import { performance } from 'node:perf_hooks';

export type Unit = 'ms' | 's' | 'KB' | 'MB' | 'per-second' | 'ratio' | 'count' | 'text';

/** A target a figure is checked against; `met` is decided by the scenario that knows the rule. */
export interface Target {
  readonly text: string;
  readonly met: boolean;
}

export interface Figure {
  /** Stable within the scenario: the previous run's figure is found by this key. */
  readonly key: string;
  /** What is measured, as the table prints it. */
  readonly label: string;
  /** A number in `unit`, or text for facts that are not numbers (which calls were made). */
  readonly value: number | string;
  readonly unit: Unit;
  readonly target?: Target;
}

export interface ScenarioResult {
  readonly figures: readonly Figure[];
  /** Everything else worth keeping in results.json (distributions, per-event rows). */
  readonly details?: unknown;
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

/** What run.ts gives every scenario. */
export interface BenchContext {
  readonly root: string;
  /** The built Lambda bundle (dist/function/index.js). */
  readonly bundle: string;
  /** The naive baseline bundle, built in the same run. */
  readonly baselineBundle: string;
  /** bench/sdk-floor.ts built like the bundle: the EC2 client alone sending the same two calls. */
  readonly sdkFloorBundle: string;
  /** Fresh-process runs per measured variant (BENCH_RUNS, at least 30). */
  readonly runs: number;
  readonly log: (message: string) => void;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

export interface Stats {
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank quantiles: every value reported is one that was measured. */
export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9), min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
}

/** Runs `body` repeatedly for `seconds` after a short warm-up; returns units per second (`body` returns the units it did). */
export function timeLoop(body: () => number, seconds: number): number {
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

export const atMost = (value: number, limit: number, text: string): Target => ({ text, met: value <= limit });
export const atLeast = (value: number, limit: number, text: string): Target => ({ text, met: value >= limit });
