/**
 * Sweeps of 1,000 and 5,000 groups, 10 % of them violating, each in a fresh process
 * (bench/sweep-child.ts: the real EC2 adapter and SDK, the default policy) against the loopback
 * stub, which answers every call 40 ms after it arrived: the round trip the sweep would see
 * against EC2. The 5,000-group sweep runs twice, with the pool and one call at a time, so the
 * gain of the concurrent sweep is measured in the same run; and peak memory at 5,000 groups is
 * set against 1,000 (the sweep handles pages as they come).
 *
 * Each group holds an ingress tcp/443 and an egress rule to anywhere (both allowed by the default
 * policy); every tenth also tcp/22 from 0.0.0.0/0 (a violation), so 5,000 groups are 10,500 rules
 * in 11 pages, 11 tag reads (the groups with violations of each page) and 500 revokes.
 */
import { join } from 'node:path';
import { SWEEP_CONCURRENCY } from '../../function/core/sweep';
import { describeSecurityGroupRulesXml, FakeAws, type FakeSecurityGroupRule } from '../../__tests__/helpers/fake-aws';
import { runNode, taggedLine } from '../child-process';
import { atMost, type BenchContext, type Figure, type Scenario, type ScenarioResult } from '../scenario';

export const ROUND_TRIP_MS = 40;
/** Concurrent wall time at most this share of the sequential one. */
const CONCURRENT_SHARE = 0.25;
/** Peak memory at 5,000 groups at most this multiple of that at 1,000. */
const MEMORY_GROWTH = 1.5;

interface SweepRun {
  readonly seconds: number;
  readonly counts: {
    readonly rules: number;
    readonly violations: number;
    readonly revoked: number;
    readonly failed: number;
    readonly groups: number;
  };
  readonly pages: number;
  readonly incomplete: boolean;
  readonly errors: number;
  readonly peakRssMb: number;
  readonly heapBeforeMb: number;
  readonly heapPeakAboveStartMb: number;
  readonly liveHeapPeakAboveStartMb?: number;
}

export function syntheticAccount(groups: number): FakeSecurityGroupRule[] {
  const rules: FakeSecurityGroupRule[] = [];
  let n = 0;
  const ruleId = () => `sgr-${(n++).toString(16).padStart(17, '0')}`;
  for (let g = 0; g < groups; g++) {
    const groupId = `sg-${g.toString(16).padStart(17, '0')}`;
    rules.push({
      securityGroupRuleId: ruleId(),
      groupId,
      isEgress: false,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    rules.push({ securityGroupRuleId: ruleId(), groupId, isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' });
    if (g % 10 === 0)
      rules.push({
        securityGroupRuleId: ruleId(),
        groupId,
        isEgress: false,
        ipProtocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidrIpv4: '0.0.0.0/0',
      });
  }
  return rules;
}

/** DescribeSecurityGroupRules over the account, paged by offset; the stub's own answers for the rest (groups exist, untagged; writes succeed). */
function serveAccount(aws: FakeAws, rules: readonly FakeSecurityGroupRule[]): void {
  aws.respond((call) => {
    if (call.action !== 'DescribeSecurityGroupRules') return undefined;
    const offset = call.params.NextToken === undefined ? 0 : Number(call.params.NextToken);
    const size = Number(call.params.MaxResults ?? 1000);
    const page = rules.slice(offset, offset + size);
    return { body: describeSecurityGroupRulesXml(page, offset + size < rules.length ? String(offset + size) : undefined) };
  });
}

async function runSweep(context: BenchContext, endpoint: string, concurrency: number, live: boolean): Promise<SweepRun> {
  const args = ['--expose-gc', '--require', 'tsx/cjs', join(context.root, 'bench/sweep-child.ts'), endpoint, String(concurrency)];
  const run = await runNode([...args, ...(live ? ['live'] : [])], {
    cwd: context.root,
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const result = taggedLine<SweepRun>(run.stdout, 'SWEEP');
  if (result === undefined) throw new Error(`sweep child printed no result: ${run.stdout}`);
  return result;
}

export const sweep: Scenario = {
  name: 'sweep',
  title: `sweep, ${ROUND_TRIP_MS} ms round trip`,
  async run(context: BenchContext): Promise<ScenarioResult> {
    const aws = new FakeAws();
    const endpoint = await aws.start();
    aws.latencyMs = ROUND_TRIP_MS;
    const sweepOf = async (groups: number, concurrency: number, live = false) => {
      aws.reset();
      const rules = syntheticAccount(groups);
      serveAccount(aws, rules);
      const how = concurrency === 1 ? 'one call at a time' : `${concurrency} calls at a time`;
      context.log(
        `sweep: ${groups.toLocaleString('en-US')} groups (${rules.length.toLocaleString('en-US')} rules), ${how}${live ? ', collecting garbage after each page' : ''}`,
      );
      const run = await runSweep(context, endpoint, concurrency, live);
      const violations = groups / 10;
      const revokeCalls = aws.calls.filter((c) => c.action === 'RevokeSecurityGroupIngress').length;
      if (run.counts.revoked !== violations || revokeCalls !== violations || run.incomplete || run.errors > 0) {
        throw new Error(
          `the ${groups}-group sweep did not revoke its ${violations} violations: ${JSON.stringify(run)} (${revokeCalls} revoke calls)`,
        );
      }
      return run;
    };
    let small: SweepRun;
    let large: SweepRun;
    let sequential: SweepRun;
    let smallLive: SweepRun;
    let largeLive: SweepRun;
    try {
      small = await sweepOf(1000, SWEEP_CONCURRENCY);
      large = await sweepOf(5000, SWEEP_CONCURRENCY);
      sequential = await sweepOf(5000, 1);
      smallLive = await sweepOf(1000, SWEEP_CONCURRENCY, true);
      largeLive = await sweepOf(5000, SWEEP_CONCURRENCY, true);
    } finally {
      await aws.stop();
    }
    const share = large.seconds / sequential.seconds;
    const rssGrowth = large.peakRssMb / small.peakRssMb;
    const heapGrowth = large.heapPeakAboveStartMb / small.heapPeakAboveStartMb;
    const smallKept = smallLive.liveHeapPeakAboveStartMb ?? Number.NaN;
    const largeKept = largeLive.liveHeapPeakAboveStartMb ?? Number.NaN;
    const keptGrowth = largeKept / smallKept;
    const figures: Figure[] = [
      { key: 'groups1000Seconds', label: '1,000 groups (100 violating), wall time', value: small.seconds, unit: 's' },
      { key: 'groups5000Seconds', label: '5,000 groups (500 violating), wall time', value: large.seconds, unit: 's' },
      { key: 'groups5000SequentialSeconds', label: '5,000 groups, one call at a time, wall time', value: sequential.seconds, unit: 's' },
      {
        key: 'concurrentShareOfSequential',
        label: '5,000 groups: concurrent / one call at a time',
        value: share,
        unit: 'ratio',
        target: atMost(share, CONCURRENT_SHARE, `<= ${CONCURRENT_SHARE}x`),
      },
      { key: 'groups1000PeakRssMb', label: '1,000 groups, peak RSS', value: small.peakRssMb, unit: 'MB' },
      { key: 'groups5000PeakRssMb', label: '5,000 groups, peak RSS', value: large.peakRssMb, unit: 'MB' },
      {
        key: 'peakRssGrowth',
        label: 'peak RSS, 5,000 / 1,000 groups',
        value: rssGrowth,
        unit: 'ratio',
        target: atMost(rssGrowth, MEMORY_GROWTH, `<= ${MEMORY_GROWTH}x`),
      },
      {
        key: 'groups1000HeapPeakMb',
        label: '1,000 groups, heap peak above the start (garbage included)',
        value: small.heapPeakAboveStartMb,
        unit: 'MB',
      },
      {
        key: 'groups5000HeapPeakMb',
        label: '5,000 groups, heap peak above the start (garbage included)',
        value: large.heapPeakAboveStartMb,
        unit: 'MB',
      },
      { key: 'heapPeakGrowth', label: 'heap peak above the start, 5,000 / 1,000 groups', value: heapGrowth, unit: 'ratio' },
      { key: 'groups1000KeptMb', label: '1,000 groups, heap kept after a page, largest', value: smallKept, unit: 'MB' },
      { key: 'groups5000KeptMb', label: '5,000 groups, heap kept after a page, largest', value: largeKept, unit: 'MB' },
      {
        key: 'keptGrowth',
        label: 'heap kept after a page, 5,000 / 1,000 groups',
        value: keptGrowth,
        unit: 'ratio',
        target: atMost(keptGrowth, MEMORY_GROWTH, `<= ${MEMORY_GROWTH}x`),
      },
    ];
    return {
      figures,
      details: {
        roundTripMs: ROUND_TRIP_MS,
        runs: {
          groups1000: small,
          groups5000: large,
          groups5000Sequential: sequential,
          groups1000Live: smallLive,
          groups5000Live: largeLive,
        },
      },
    };
  },
};
