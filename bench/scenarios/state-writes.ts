/** The state table's cost per event (bench/state-writes.ts): the time and DynamoDB calls it adds. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext, Scenario, ScenarioResult } from '../scenario';

interface Variant {
  readonly msPerEvent: number;
  readonly dynamoCallsPerEvent: number;
}

export const stateWrites: Scenario = {
  name: 'stateWrites',
  title: 'state table, per event (in process, mocked clients)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log('state table: the violating corpus with and without SENTRY_STATE_TABLE, in process');
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(context.root, 'bench/state-writes.ts')], {
      cwd: context.root,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('STATE '));
    if (child.status !== 0 || line === undefined) throw new Error(`state-writes failed: ${child.stderr}`);
    const result = JSON.parse(line.slice(6)) as {
      events: number;
      revoking: { without: Variant; with: Variant };
      exempt: { without: Variant; with: Variant };
    };
    const added = (v: { without: Variant; with: Variant }) => v.with.msPerEvent - v.without.msPerEvent;
    return {
      figures: [
        { key: 'revokingAddedMs', label: 'violating event, revoked: time the table adds', value: added(result.revoking), unit: 'ms' },
        {
          key: 'revokingDynamoCalls',
          label: 'violating event, revoked: DynamoDB calls',
          value: result.revoking.with.dynamoCallsPerEvent,
          unit: 'count',
        },
        {
          key: 'exemptAddedMs',
          label: 'exempt violation (recorded for the sweep): time the table adds',
          value: added(result.exempt),
          unit: 'ms',
        },
        {
          key: 'exemptDynamoCalls',
          label: 'exempt violation: DynamoDB calls',
          value: result.exempt.with.dynamoCallsPerEvent,
          unit: 'count',
        },
      ],
      details: result,
    };
  },
};
