/**
 * Reads the prefix lists whose contents decide a verdict (`listsToInspect`): who owns each
 * (DescribeManagedPrefixLists, one call for all of them), and the entries of each
 * customer-managed one at the version just described (GetManagedPrefixListEntries). One reader
 * serves one invocation, so a list referenced by many rules of a sweep is read once.
 */
import { batchThenEach } from '../batch-then-each';
import { Ec2CallError, messageOf } from '../errors';
import { isAwsManaged, type PrefixListFacts, type PrefixListInfo, type PrefixListLookup } from '../model/prefix-list';
import type { Ec2Port } from '../ports';

const LIST_NOT_FOUND = 'InvalidPrefixListID.NotFound';
/** DescribeManagedPrefixLists takes this many ids a call at most. */
const DESCRIBE_BATCH = 100;

function isListNotFound(error: unknown): boolean {
  return error instanceof Ec2CallError && error.code === LIST_NOT_FOUND;
}

/** Why a list that EC2 no longer knows is unreadable. */
export const LIST_DOES_NOT_EXIST = 'it does not exist';

function unreadable(error: unknown): PrefixListFacts {
  if (isListNotFound(error)) return { state: 'unreadable', reason: LIST_DOES_NOT_EXIST, retryable: false };
  const retryable = !(error instanceof Ec2CallError) || error.retryable;
  return { state: 'unreadable', reason: messageOf(error), retryable };
}

export class PrefixListReader {
  /** What was read, by id. Failures a retry may fix are not kept, so a later page tries again. */
  private readonly known = new Map<string, PrefixListFacts>();

  constructor(private readonly ec2: Pick<Ec2Port, 'describePrefixLists' | 'prefixListEntries'>) {}

  /** The facts of each list; never throws: a list that cannot be read is `unreadable`, saying why. */
  async read(prefixListIds: readonly string[]): Promise<ReadonlyMap<string, PrefixListFacts>> {
    const wanted = [...new Set(prefixListIds)];
    const missing = wanted.filter((id) => !this.known.has(id));
    const fresh = new Map<string, PrefixListFacts>();
    for (let i = 0; i < missing.length; i += DESCRIBE_BATCH) {
      const batch = missing.slice(i, i + DESCRIBE_BATCH);
      const settled = await batchThenEach(batch, (ids) => this.ec2.describePrefixLists(ids), { splitOn: isListNotFound });
      for (const [id, result] of settled) {
        if (!result.ok) {
          fresh.set(id, unreadable(result.error));
          continue;
        }
        const info = result.value.find((list) => list.prefixListId === id);
        fresh.set(
          id,
          info === undefined
            ? { state: 'unreadable', reason: 'DescribeManagedPrefixLists did not return it', retryable: false }
            : await this.factsOf(info),
        );
      }
    }
    for (const [id, facts] of fresh) if (facts.state !== 'unreadable' || !facts.retryable) this.known.set(id, facts);
    return new Map(wanted.map((id) => [id, this.known.get(id) ?? fresh.get(id) ?? unreadable(new Error('not read'))]));
  }

  private async factsOf(info: PrefixListInfo): Promise<PrefixListFacts> {
    if (isAwsManaged(info)) return { state: 'aws-managed', info };
    try {
      const entries = await this.ec2.prefixListEntries({
        prefixListId: info.prefixListId,
        ...(info.version !== undefined ? { version: info.version } : {}),
      });
      return { state: 'customer-managed', info, entries };
    } catch (error) {
      return unreadable(error);
    }
  }
}

/**
 * The facts of the lists, for judging an event's rules: a list whose read a retry may fix fails
 * the event (retryably) rather than be judged on a guess.
 */
export async function readPrefixListsOrThrow(prefixListIds: readonly string[], ec2: Ec2Port): Promise<PrefixListLookup> {
  const lists = await new PrefixListReader(ec2).read(prefixListIds);
  for (const [id, facts] of lists) {
    if (facts.state === 'unreadable' && facts.retryable)
      throw new Ec2CallError('PrefixListUnreadable', `reading prefix list ${id} failed: ${facts.reason}`, true);
  }
  return lists;
}
