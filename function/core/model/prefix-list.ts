/**
 * Managed prefix lists as the judge sees them. A rule can take its sources from a list, so
 * whoever can edit the list can open every group that references it; a customer-managed list is
 * therefore judged by what it holds, while an AWS-managed one (its owner is `AWS`, its name
 * `com.amazonaws.…`: the addresses of an AWS service) is trusted as it is.
 */

export interface PrefixListInfo {
  /** Lower-cased `pl-…`. */
  readonly prefixListId: string;
  readonly name?: string;
  /** `AWS` for AWS-managed lists, else the owning account id. */
  readonly ownerId?: string;
  /** Raised by one on every change; a modification names the version it starts from. */
  readonly version?: number;
}

export interface PrefixListEntry {
  readonly cidr: string;
  readonly description?: string;
}

/** What a judge knows about a list a rule references. */
export type PrefixListFacts =
  | { readonly state: 'aws-managed'; readonly info: PrefixListInfo }
  | { readonly state: 'customer-managed'; readonly info: PrefixListInfo; readonly entries: readonly PrefixListEntry[] }
  /** It could not be read; `retryable` when a later attempt may succeed (throttling, 5xx). */
  | { readonly state: 'unreadable'; readonly reason: string; readonly retryable: boolean };

/** Lists by lower-cased id; a list not in the map was not read. */
export type PrefixListLookup = ReadonlyMap<string, PrefixListFacts>;

/**
 * The owner decides: a list an account owns is that account's, whatever its name (AWS refuses
 * customer names that start with `com.amazonaws.`, but not every EC2-compatible API does, and a
 * name alone must not buy trust). Only an answer that names no owner is judged by its name.
 */
export function isAwsManaged(info: PrefixListInfo): boolean {
  if (info.ownerId !== undefined) return info.ownerId === 'AWS';
  return info.name?.startsWith('com.amazonaws.') ?? false;
}

/** `pl-0abc (office-ranges)`. */
export function prefixListLabel(info: Pick<PrefixListInfo, 'prefixListId' | 'name'>): string {
  return info.name ? `${info.prefixListId} (${info.name})` : info.prefixListId;
}
