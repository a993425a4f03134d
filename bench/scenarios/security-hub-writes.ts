/**
 * The Security Hub import's cost per event, beside the same without it (`SENTRY_SECURITY_HUB`):
 * - warm: the violating corpus through the handler in one process (bench/security-hub-writes.ts,
 *   the shape of the state-table scenario): milliseconds and BatchImportFindings per event;
 * - cold: fresh processes of the built bundle running the time-to-revoke fixture (the default
 *   policy), with and without, interleaved, against the loopback EC2/SNS stub and the Security
 *   Hub stub: spawn to the Revoke, spawn to exit, and the calls in order. The import comes after
 *   the revoke and the notification, so it should move the exit and not the revoke: printed, not
 *   asserted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FakeAws } from '../../__tests__/helpers/fake-aws';
import { envelope, fixture } from '../../__tests__/helpers/fixtures';
import { childEnv, eventFileFor, runBundleEvent, TOPIC } from '../bundle-at-stub';
import { type BenchContext, type Scenario, type ScenarioResult, stats } from '../scenario';
import { SecurityHubStub } from '../security-hub-stub';
import { TIME_TO_REVOKE_FIXTURE } from './time-to-revoke';

interface WarmVariant {
  readonly msPerEvent: number;
  readonly importsPerEvent: number;
  readonly findingsPerEvent: number;
  readonly otherRequests: number;
  /** Fixtures whose event had a violating or exempt finding and sent no BatchImportFindings. */
  readonly notImported: readonly string[];
}

interface ColdRun {
  readonly revokeMs: number;
  readonly exitMs: number;
  /** The handler's duration in the child (bundle loaded to report returned). */
  readonly handlerMs: number;
  /** The Publish's arrival to the import's, at the stubs (NaN without an import). */
  readonly publishToImportMs: number;
  readonly imports: number;
  /** Every import arrived after the Revoke and after the Publish. */
  readonly importLast: boolean;
  readonly calls: string;
}

function warm(context: BenchContext): { events: number; without: WarmVariant; with: WarmVariant } {
  const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(context.root, 'bench/security-hub-writes.ts')], {
    cwd: context.root,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('SECURITYHUB '));
  if (child.status !== 0 || line === undefined) throw new Error(`security-hub-writes failed: ${child.stderr}`);
  return JSON.parse(line.slice('SECURITYHUB '.length));
}

async function cold(context: BenchContext): Promise<{ without: ColdRun[]; with: ColdRun[] }> {
  const aws = new FakeAws();
  const hub = new SecurityHubStub();
  const [endpoint, hubEndpoint] = await Promise.all([aws.start(), hub.start()]);
  const eventFile = eventFileFor(context, 'security-hub', envelope(fixture(TIME_TO_REVOKE_FIXTURE)));
  const envs = {
    without: childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC, AWS_ENDPOINT_URL_SECURITYHUB: hubEndpoint }),
    with: childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC, AWS_ENDPOINT_URL_SECURITYHUB: hubEndpoint, SENTRY_SECURITY_HUB: 'true' }),
  };
  const once = async (env: NodeJS.ProcessEnv): Promise<ColdRun> => {
    aws.reset();
    hub.reset();
    const run = await runBundleEvent(context, eventFile, env);
    const revoke = aws.calls.find((c) => c.action.startsWith('RevokeSecurityGroup'));
    const publish = aws.calls.find((c) => c.action === 'Publish');
    if (revoke === undefined || !run.actions.every((a) => a === 'revoked'))
      throw new Error(`no revoke: ${aws.calls.map((c) => c.action).join(', ')}`);
    const arrivals = [
      ...aws.calls.map((c) => ({ name: c.action, at: c.receivedAt })),
      ...hub.imports.map((c) => ({ name: 'BatchImportFindings', at: c.receivedAt })),
    ];
    return {
      revokeMs: revoke.receivedAt - run.startedAt,
      exitMs: run.exitMs,
      handlerMs: run.handlerMs,
      publishToImportMs:
        publish !== undefined && hub.imports[0] !== undefined ? hub.imports[0].receivedAt - publish.receivedAt : Number.NaN,
      imports: hub.imports.length,
      importLast: hub.imports.every((c) => c.receivedAt > revoke.receivedAt && publish !== undefined && c.receivedAt > publish.receivedAt),
      calls: arrivals
        .sort((a, b) => a.at - b.at)
        .map((c) => c.name)
        .join(', '),
    };
  };
  const runs = { without: [] as ColdRun[], with: [] as ColdRun[] };
  try {
    await once(envs.without);
    await once(envs.with);
    for (let i = 0; i < context.runs; i++) {
      runs.without.push(await once(envs.without));
      runs.with.push(await once(envs.with));
    }
    if (hub.others.length > 0) throw new Error(`unexpected Security Hub requests: ${hub.others.join(', ')}`);
  } finally {
    await Promise.all([aws.stop(), hub.stop()]);
  }
  return runs;
}

export const securityHubWrites: Scenario = {
  name: 'securityHubWrites',
  title: 'Security Hub import, per event',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log('Security Hub: the violating corpus with and without SENTRY_SECURITY_HUB, in process');
    const w = warm(context);
    context.log(
      `Security Hub: ${context.runs} fresh processes each with and without SENTRY_SECURITY_HUB, interleaved, after one warm-up each`,
    );
    const c = await cold(context);
    const median = (runs: readonly ColdRun[], of: (r: ColdRun) => number) => stats(runs.map(of)).median;
    const p90 = (runs: readonly ColdRun[], of: (r: ColdRun) => number) => stats(runs.map(of)).p90;
    const revoke = (r: ColdRun) => r.revokeMs;
    const exit = (r: ColdRun) => r.exitMs;
    const importCounts = (runs: readonly ColdRun[]) => [...new Set(runs.map((r) => r.imports))].join(', ');
    return {
      figures: [
        {
          key: 'warmWithoutMs',
          label: `warm, per violating event (${w.events} events), without Security Hub`,
          value: w.without.msPerEvent,
          unit: 'ms',
        },
        {
          key: 'warmAddedMs',
          label: 'warm: time the import adds per event (ASFF, signing, one loopback round trip)',
          value: w.with.msPerEvent - w.without.msPerEvent,
          unit: 'ms',
        },
        {
          key: 'warmImportsPerEvent',
          label: 'warm: BatchImportFindings calls per violating event (findings per event)',
          value: `${w.with.importsPerEvent.toFixed(2)} (${w.with.findingsPerEvent.toFixed(2)}); without: ${w.without.importsPerEvent.toFixed(2)}`,
          unit: 'text',
          target: {
            text: '1 BatchImportFindings per event with findings, none without',
            met: w.with.importsPerEvent === 1 && w.with.notImported.length === 0 && w.without.importsPerEvent === 0,
          },
        },
        {
          key: 'coldRevokeWithoutMs',
          label: `cold: spawn to Revoke, median (n=${context.runs}), without / with`,
          value: `${median(c.without, revoke).toFixed(1)} / ${median(c.with, revoke).toFixed(1)} ms`,
          unit: 'text',
        },
        {
          key: 'coldRevokeAddedMs',
          label: 'cold: time to revoke, with minus without (medians; the import comes after the revoke)',
          value: median(c.with, revoke) - median(c.without, revoke),
          unit: 'ms',
        },
        {
          key: 'coldExitMs',
          label: 'cold: spawn to exit, median (p90), without / with',
          value: `${median(c.without, exit).toFixed(1)} (${p90(c.without, exit).toFixed(1)}) / ${median(c.with, exit).toFixed(1)} (${p90(c.with, exit).toFixed(1)}) ms`,
          unit: 'text',
        },
        {
          key: 'coldExitAddedMs',
          label: 'cold: time to exit the import adds (medians)',
          value: median(c.with, exit) - median(c.without, exit),
          unit: 'ms',
        },
        {
          key: 'coldHandlerMs',
          label: 'cold: the handler, bundle loaded to report returned, median, without / with',
          value: `${median(c.without, (r) => r.handlerMs).toFixed(1)} / ${median(c.with, (r) => r.handlerMs).toFixed(1)} ms`,
          unit: 'text',
        },
        {
          key: 'coldHandlerAddedMs',
          label: 'cold: handler time the import adds (medians; Lambda bills this, not the exit)',
          value: median(c.with, (r) => r.handlerMs) - median(c.without, (r) => r.handlerMs),
          unit: 'ms',
        },
        {
          key: 'coldPublishToImportMs',
          label: 'cold: Publish to BatchImportFindings at the stubs, median (p90)',
          value: `${median(c.with, (r) => r.publishToImportMs).toFixed(1)} (${p90(c.with, (r) => r.publishToImportMs).toFixed(1)}) ms`,
          unit: 'text',
        },
        {
          key: 'coldImportsPerRun',
          label: 'cold: BatchImportFindings calls per run, with / without',
          value: `${importCounts(c.with)} / ${importCounts(c.without)}`,
          unit: 'text',
          target: {
            text: '1 per event with findings, none without',
            met: c.with.every((r) => r.imports === 1) && c.without.every((r) => r.imports === 0),
          },
        },
        {
          key: 'coldImportAfterRevokeAndPublish',
          label: 'cold: the import came after the Revoke and the Publish, every run',
          value: String(c.with.every((r) => r.importLast)),
          unit: 'text',
        },
        {
          key: 'coldCallsWith',
          label: 'cold: calls per run with Security Hub, in order',
          value: [...new Set(c.with.map((r) => r.calls))].join(' | '),
          unit: 'text',
        },
      ],
      notes: w.with.notImported.map(
        (name) => `Security Hub, warm: ${name} had a violating or exempt finding and sent no BatchImportFindings`,
      ),
      details: {
        fixture: TIME_TO_REVOKE_FIXTURE,
        warm: w,
        cold: {
          runs: context.runs,
          without: { revokeMs: stats(c.without.map(revoke)), exitMs: stats(c.without.map(exit)) },
          with: { revokeMs: stats(c.with.map(revoke)), exitMs: stats(c.with.map(exit)) },
        },
      },
    };
  },
};
