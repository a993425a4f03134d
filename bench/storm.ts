/**
 * Event storm: 2,000 violating events through the handler in one process, with the SDK clients
 * mocked (aws-sdk-client-mock), as a warm Lambda would take a burst. Prints one `STORM {json}`
 * line: whether every violation was revoked, the calls made, time, and peak memory.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { performance } from 'node:perf_hooks';
import { contextFromEnvironment } from '../function/environment';
import { createHandler } from '../function/handler';
import type { EventReport } from '../function/core/report/report';
import { loadCorpus } from './corpus';

const EVENTS = Number(process.env.BENCH_STORM_EVENTS ?? 2000);

async function main(): Promise<void> {
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  ec2.onAnyCommand().resolves({});
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: { SecurityGroupRuleIds?: string[] }) => ({
    SecurityGroupRules: (input.SecurityGroupRuleIds ?? []).map((id) => ({
      SecurityGroupRuleId: id,
      GroupId: 'sg-0632fa4ee8a8468a4',
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIpv4: '0.0.0.0/0',
    })),
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

  const violating = loadCorpus().filter((e) => e.violations > 0);
  let logLines = 0;
  const handler = createHandler(
    contextFromEnvironment({ SENTRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:sg-sentry' }, { log: () => void logLines++ }),
  );

  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let violations = 0;
  let revoked = 0;
  let revokeCalls = 0;
  let publishCalls = 0;
  let otherEc2Calls = 0;
  const started = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const source = violating[i % violating.length]!;
    const event = structuredClone(source.event);
    event.detail.eventID = `storm-${i}-${event.detail.eventID}`;
    const report = (await handler(event)) as EventReport;
    for (const f of report.findings) {
      if (f.verdict !== 'violation') continue;
      violations++;
      if (f.action === 'revoked') revoked++;
    }
    revokeCalls += ec2.commandCalls(RevokeSecurityGroupIngressCommand).length + ec2.commandCalls(RevokeSecurityGroupEgressCommand).length;
    otherEc2Calls += ec2.commandCalls(DescribeSecurityGroupRulesCommand).length;
    publishCalls += sns.commandCalls(PublishCommand).length;
    // The mocks keep every call; forget them so that only sg-sentry's memory is measured.
    ec2.resetHistory();
    sns.resetHistory();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  // With --expose-gc: what the storm left behind once garbage is collected (a leak would show here).
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const heapAfterGcMb = collect ? process.memoryUsage().heapUsed / 2 ** 20 : null;
  const result = {
    events: EVENTS,
    distinctFixtures: violating.length,
    violations,
    revoked,
    allRevoked: violations === revoked,
    revokeCalls,
    describeCalls: otherEc2Calls,
    publishCalls,
    logLines,
    seconds,
    eventsPerSecond: EVENTS / seconds,
    rssBeforeMb: before.rss / 2 ** 20,
    heapBeforeMb: before.heapUsed / 2 ** 20,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapAfterGcMb,
  };
  process.stdout.write(`STORM ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
