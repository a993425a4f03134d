/**
 * One event through the built bundle in a fresh process (bench/cold-start-child.cjs), against
 * the loopback stub of `__tests__/helpers/fake-aws.ts`, and the calls it made, by service. The
 * call-count scenarios use it: counting at the stub sees every request the bundle sends,
 * whatever client sent it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAws, type RecordedCall } from '../__tests__/helpers/fake-aws';
import { runNode, taggedLine } from './child-process';
import type { BenchContext } from './scenario';

export const TOPIC = 'arn:aws:sns:us-east-1:776520358045:sg-sentry';
export const STATE_TABLE = 'sg-sentry-state';

export interface BundleRun {
  /** What the handler returned: the action of each finding (`revoked`, `none`, …). */
  readonly actions: readonly string[];
  /** `performance.now()` of this process just before the spawn: the stubs record calls on the same clock. */
  readonly startedAt: number;
  /** Spawn to the child's exit. */
  readonly exitMs: number;
  /** The handler's own duration in the child, from the bundle loaded to its promise settled: what Lambda bills. */
  readonly handlerMs: number;
}

export type Service = 'ec2' | 'sns' | 'dynamodb';

/** SNS and EC2 speak the query protocol (an `Action` parameter); DynamoDB speaks JSON with `X-Amz-Target`. */
export function serviceOf(call: RecordedCall): Service {
  if (call.params.Action === undefined) return 'dynamodb';
  return call.action === 'Publish' ? 'sns' : 'ec2';
}

export function callsBy(calls: readonly RecordedCall[], service: Service): string[] {
  return calls.filter((c) => serviceOf(c) === service).map((c) => c.action);
}

/** Writes `event` where the child reads it; one file per scenario, rewritten for each event. */
export function eventFileFor(context: BenchContext, name: string, event: unknown): string {
  mkdirSync(join(context.root, 'dist/bench'), { recursive: true });
  const file = join(context.root, `dist/bench/${name}-event.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

/** The environment of a child: the stub's endpoint and dummy credentials, plus `extra`. */
export function childEnv(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Lambda runs Node 22, where the SDK prints no "Node 20 is going away" warning; neither may the bench.
  return { ...FakeAws.env(endpoint, extra), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

export async function runBundleEvent(context: BenchContext, eventFile: string, env: NodeJS.ProcessEnv): Promise<BundleRun> {
  const run = await runNode([join(context.root, 'bench/cold-start-child.cjs'), context.bundle, eventFile], { env });
  const result = taggedLine<{ actions: string[]; handlerMs: number }>(run.stdout, 'RESULT');
  if (result === undefined) throw new Error(`event ${eventFile} gave no result: ${run.stdout}`);
  return { actions: result.actions, startedAt: run.startedAt, exitMs: run.exitMs, handlerMs: result.handlerMs };
}
