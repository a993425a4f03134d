/**
 * EC2 fails a whole call for one bad item: a rule id already gone, a permission already there,
 * a group deleted since it was listed. Items are sent together first (one call, the common
 * case); only when the batch fails in a way one item can cause is each item sent alone, so that
 * one item never hides the others. The one copy of that pattern, for revokes, authorizations
 * and lookups alike.
 */

export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface BatchThenEachOptions {
  /** A batch failure that a single item may have caused: each item is then tried alone. */
  readonly splitOn: (error: unknown) => boolean;
  /** Failures that end the whole attempt, thrown as soon as any call (batch or single) fails so. */
  readonly rethrow?: (error: unknown) => boolean;
}

/** What became of each item: the value of the call that carried it, or that call's error. */
export async function batchThenEach<T, R>(
  items: readonly T[],
  call: (subset: readonly T[]) => Promise<R>,
  options: BatchThenEachOptions,
): Promise<Map<T, Settled<R>>> {
  const settled = new Map<T, Settled<R>>();
  const attempt = async (subset: readonly T[]): Promise<Settled<R>> => {
    try {
      return { ok: true, value: await call(subset) };
    } catch (error) {
      if (options.rethrow?.(error)) throw error;
      return { ok: false, error };
    }
  };
  if (items.length === 0) return settled;
  const batch = await attempt(items);
  if (batch.ok || items.length === 1 || !options.splitOn(batch.error)) {
    for (const item of items) settled.set(item, batch);
    return settled;
  }
  for (const item of items) settled.set(item, await attempt([item]));
  return settled;
}
