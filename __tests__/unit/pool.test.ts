import { expect } from 'chai';
import { Pool } from '../../function/core/pool';

/** A task that records when it starts and finishes only when `release` is called. */
function gate(name: string, started: string[]) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: () => (started.push(name), done.then(() => name)), release: () => release() };
}

describe('bounded pool', () => {
  it('starts a task queued first ahead of the tasks already waiting in turn, and never runs more than its slots', async () => {
    // Prepare: one slot, taken; two writes wait in turn, then a read is queued first.
    const pool = new Pool(1);
    const started: string[] = [];
    const busy = gate('busy', started);
    const writes = [gate('write-1', started), gate('write-2', started)];
    const read = gate('read', started);
    const running = [pool.run(busy.task), ...writes.map((w) => pool.run(w.task)), pool.run(read.task, 'first')];

    // Act: free the slot, then each task in turn as it starts, noting what had started by then.
    busy.release();
    const startedWhileHeld: string[][] = [];
    for (const next of [read, ...writes]) {
      await new Promise((resolve) => setImmediate(resolve));
      startedWhileHeld.push([...started]);
      next.release();
    }
    await Promise.all(running);

    // Assess
    expect(startedWhileHeld).to.deep.equal([
      ['busy', 'read'],
      ['busy', 'read', 'write-1'],
      ['busy', 'read', 'write-1', 'write-2'],
    ]);
  });

  it('keeps the order of tasks queued in turn, and of tasks queued first among themselves', async () => {
    // Prepare
    const pool = new Pool(1);
    const started: string[] = [];
    const busy = gate('busy', started);
    const queued = [gate('a', started), gate('b', started), gate('c', started), gate('d', started)];
    const running = [
      pool.run(busy.task),
      pool.run(queued[0]!.task),
      pool.run(queued[1]!.task, 'first'),
      pool.run(queued[2]!.task),
      pool.run(queued[3]!.task, 'first'),
    ];

    // Act
    busy.release();
    for (const next of [queued[1]!, queued[3]!, queued[0]!, queued[2]!]) {
      await new Promise((resolve) => setImmediate(resolve));
      next.release();
    }
    await Promise.all(running);

    // Assess
    expect(started).to.deep.equal(['busy', 'b', 'd', 'a', 'c']);
  });
});
