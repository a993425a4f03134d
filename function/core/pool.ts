/**
 * A bounded pool: at most `limit` tasks run at once, the rest wait in the order they came. The
 * sweep puts every EC2 call of one target through one pool, so a sweep's wall time is bounded by
 * EC2's rate limits (which the SDK's adaptive retry mode meets with client-side backoff) instead
 * of by round trips one after another, and a large account never floods EC2 with requests.
 *
 * A task queued `first` waits only behind other `first` tasks: the sweep queues the reads the
 * next page's revokes depend on (its tag read, the page after it) that way, so they are not stuck
 * behind the current page's revokes and the pool never runs dry between pages.
 *
 * Written here rather than taken from a package: the core takes no dependency that is not pure
 * data handling, and the well-known one (p-limit) ships as ES modules only; this is the whole of it.
 */
export type PoolOrder = 'first' | 'in-turn';

export class Pool {
  private running = 0;
  private readonly waitingFirst: Array<() => void> = [];
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a pool needs a whole number of slots of at least 1 (got ${limit})`);
  }

  /** Runs `task` when a slot is free; its result or rejection is the caller's. */
  async run<T>(task: () => Promise<T>, order: PoolOrder = 'in-turn'): Promise<T> {
    if (this.running >= this.limit)
      await new Promise<void>((resolve) => (order === 'first' ? this.waitingFirst : this.waiting).push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never drops below what runs.
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }

  /** Runs `task` for every item through the pool; the results are in the items' order. */
  map<T, R>(items: readonly T[], task: (item: T) => Promise<R>, order: PoolOrder = 'in-turn'): Promise<R[]> {
    return Promise.all(items.map((item) => this.run(() => task(item), order)));
  }
}
