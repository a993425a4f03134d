/**
 * One sweep in a fresh process, for bench/scenarios/sweep.ts: the real EC2 adapter and SDK
 * against the stub endpoint the parent runs (with its injected round trip), the default
 * policy. Prints one `SWEEP {json}` line: wall time, counts, and memory (peak RSS of the process,
 * and the heap's peak above what it held before the sweep started, sampled every 5 ms and after
 * every page). With `live`, it also collects garbage after every page and reports the largest
 * heap still held then: what the sweep keeps, which is what could grow with the account
 * (collecting costs time, so wall times come from runs without it).
 *
 * node --expose-gc --require tsx/cjs bench/sweep-child.ts <endpoint> <concurrency> [live]
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { performance } from 'node:perf_hooks';
import { Ec2Adapter } from '../function/adapters/ec2-adapter';
import { ec2ClientConfig } from '../function/adapters/ec2-client-config';
import { loadPolicy } from '../function/core/policy/policy';
import { processSweep } from '../function/core/sweep';

async function main(): Promise<void> {
  const [endpoint, concurrency, mode] = process.argv.slice(2);
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');
  const region = 'us-east-1';
  const client = new EC2Client({
    ...ec2ClientConfig(region),
    endpoint,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  const ec2 = new Ec2Adapter(client);
  const ctx = { policy: loadPolicy(undefined), portsFor: () => ({ ec2 }), log: () => undefined, now: () => new Date() };

  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let livePeak = heapBefore;
  const sample = () => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  };
  const afterPage = () => {
    sample();
    if (mode !== 'live') return;
    collect();
    livePeak = Math.max(livePeak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const report = await processSweep({ eventId: 'bench', account: '111122223333', region }, ctx, {
    concurrency: Number(concurrency),
    onProgress: afterPage,
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write(
    `SWEEP ${JSON.stringify({
      seconds,
      counts: report.counts,
      pages: report.pages,
      incomplete: report.incomplete,
      errors: report.errors.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      heapBeforeMb: heapBefore / 2 ** 20,
      heapPeakAboveStartMb: (heapPeak - heapBefore) / 2 ** 20,
      ...(mode === 'live' ? { liveHeapPeakAboveStartMb: (livePeak - heapBefore) / 2 ** 20 } : {}),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
