/** 2,000 violating events through the handler in one process (bench/storm.ts, mocked clients). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext, Scenario, ScenarioResult } from '../scenario';

export const eventStorm: Scenario = {
  name: 'storm',
  title: 'event storm',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log('event storm: 2,000 events in process, mocked clients');
    const child = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', join(context.root, 'bench/storm.ts')], {
      cwd: context.root,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('STORM '));
    if (child.status !== 0 || line === undefined) throw new Error(`storm failed: ${child.stderr}`);
    const storm = JSON.parse(line.slice(6));
    return {
      figures: [
        {
          key: 'allRevoked',
          label: `${storm.events} events, every violation revoked`,
          value: `${storm.allRevoked} (${storm.revoked}/${storm.violations})`,
          unit: 'text',
        },
        { key: 'eventsPerSecond', label: 'throughput', value: storm.eventsPerSecond, unit: 'per-second' },
        { key: 'peakRssMb', label: 'peak RSS', value: storm.peakRssMb, unit: 'MB' },
        { key: 'heapAfterGcMb', label: 'heap after the storm, collected', value: storm.heapAfterGcMb ?? Number.NaN, unit: 'MB' },
      ],
      details: storm,
      notes: [
        `event storm started at RSS ${storm.rssBeforeMb.toFixed(0)} MB / heap ${storm.heapBeforeMb.toFixed(0)} MB (runtime, SDK, mocks, corpus loaded)`,
      ],
    };
  },
};
