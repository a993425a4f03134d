/** `npm run synth` three times (under /usr/bin/time -v when present): wall time and peak RSS. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { atMost, stats, type BenchContext, type Scenario, type ScenarioResult } from '../scenario';

const SYNTH_SECONDS = 2;

export const synth: Scenario = {
  name: 'synth',
  title: 'synth',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const gnuTime = existsSync('/usr/bin/time');
    context.log(`npm run synth, 3 runs${gnuTime ? ' under /usr/bin/time -v' : ''}`);
    const runs: Array<{ seconds: number; peakRssMb: number | undefined }> = [];
    for (let i = 0; i < 3; i++) {
      const [command, args] = gnuTime
        ? ['/usr/bin/time', ['-v', 'npm', 'run', 'synth', '--silent']]
        : ['npm', ['run', 'synth', '--silent']];
      const started = performance.now();
      const child = spawnSync(command, args as string[], { cwd: context.root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
      const seconds = (performance.now() - started) / 1000;
      if (child.status !== 0) throw new Error(`npm run synth failed (${child.status}): ${child.stderr.slice(-2000)}`);
      const maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? Number.NaN);
      runs.push({ seconds, peakRssMb: Number.isNaN(maxRssKb) ? undefined : maxRssKb / 1024 });
    }
    const seconds = stats(runs.map((r) => r.seconds));
    const rss = runs.flatMap((r) => (r.peakRssMb === undefined ? [] : [r.peakRssMb]));
    return {
      figures: [
        {
          key: 'medianSeconds',
          label: 'npm run synth, wall time, median of 3',
          value: seconds.median,
          unit: 's',
          target: atMost(seconds.median, SYNTH_SECONDS, '< 2 s'),
        },
        ...(rss.length > 0
          ? [{ key: 'peakRssMb', label: 'npm run synth, peak RSS (largest process)', value: Math.max(...rss), unit: 'MB' as const }]
          : []),
      ],
      details: { seconds },
    };
  },
};
