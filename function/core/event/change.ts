import type { CloudTrailRecord } from './schemas/cloudtrail-record.schema';
import type { PrefixListEntry } from '../model/prefix-list';
import type { Principal } from '../model/principal';
import type { Rule } from '../model/rule';
import type { WatchedEventName } from './watched-events';

/** A rule from ModifySecurityGroupRules: its direction is not in the event and must be looked up. */
export type UndirectedRule = Omit<Rule, 'direction'> & { readonly ruleId: string; readonly groupId: string };

/** What one CloudTrail security-group call changed, normalized to rules. */
export interface SecurityGroupChange {
  readonly eventId: string;
  /** The record had no `eventID` (an abridged copy): `eventId` was derived from its content. */
  readonly eventIdDerived?: boolean;
  readonly eventName: WatchedEventName;
  readonly eventTime?: string;
  readonly account?: string;
  readonly region: string;
  readonly principal: Principal;
  readonly groupId?: string;
  readonly groupName?: string;
  readonly rules: readonly Rule[];
  readonly undirectedRules: readonly UndirectedRule[];
  /** The call created the group (CreateSecurityGroup): its default egress rule is in EC2, not in the event. */
  readonly createdGroup?: boolean;
}

export type TagChangeKind = 'set' | 'removed';

/** CreateTags / DeleteTags on security groups: which groups, and which tags were set or removed. */
export interface TagChange extends ChangeCommon {
  readonly kind: TagChangeKind;
  /** The security groups among the call's resources, lower-cased. */
  readonly groupIds: readonly string[];
  /** The tags as the request names them (`value` absent when DeleteTags gave none); `all`: DeleteTags without a tag set. */
  readonly tags: readonly { readonly key: string; readonly value?: string }[] | 'all';
}

/** A change of a managed prefix list: which list, and what the request says it added. */
export interface PrefixListChange extends ChangeCommon {
  readonly prefixListId: string;
  /** The entries ModifyManagedPrefixList added; undefined when the request does not say (RestoreManagedPrefixListVersion). */
  readonly addedEntries?: readonly PrefixListEntry[];
}

export interface SweepRequest {
  readonly eventId?: string;
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
}

/** One record of the sweep queue: its body is read (and may be malformed) when it is handled. */
export interface SweepJobRecord {
  readonly messageId: string;
  readonly body: string;
}

/**
 * A watched event whose request or record could not be read: what can still be read of it.
 * The function judges the groups it names as they are now, or says it could not check it.
 */
export interface UnreadableEvent {
  readonly eventId: string;
  readonly eventName: WatchedEventName;
  readonly eventTime?: string;
  readonly account?: string;
  /** undefined: neither the record nor the envelope names a region to look in. */
  readonly region?: string;
  readonly principal: Principal;
  /** The groups the record still names; empty: no group can be read from it. */
  readonly groupIds: readonly string[];
  /** Why the event could not be read, each naming the field. */
  readonly problems: readonly string[];
}

export type ParsedEvent =
  | { readonly kind: 'change'; readonly change: SecurityGroupChange }
  | { readonly kind: 'unreadable'; readonly unreadable: UnreadableEvent }
  | { readonly kind: 'tag-change'; readonly change: TagChange }
  | { readonly kind: 'prefix-list-change'; readonly change: PrefixListChange }
  | { readonly kind: 'sweep'; readonly sweep: SweepRequest }
  | { readonly kind: 'sweep-jobs'; readonly records: readonly SweepJobRecord[] }
  | { readonly kind: 'ignored'; readonly reason: string; readonly eventId?: string; readonly eventName?: string };

/** What every change carries, read from the record and its envelope before the request is. */
export type ChangeCommon = Pick<
  SecurityGroupChange,
  'eventId' | 'eventIdDerived' | 'eventName' | 'eventTime' | 'account' | 'region' | 'principal'
>;

export interface ParserInput {
  readonly record: CloudTrailRecord;
  /** Where the record sits in the input (`detail`, or `record` for a bare one), for error paths. */
  readonly path: string;
  readonly common: ChangeCommon;
}

/**
 * Reads the request (and response) of one watched event name. Throws `EventValidationError`
 * naming the bad field; may answer `ignored` for a call that changes nothing sg-sentry judges.
 */
export type EventParser = (input: ParserInput) => ParsedEvent;
