/**
 * An in-memory EC2 behind the engine's `Ec2Port`: security groups (id, name, VPC, tags) and
 * their rules (with `sgr-` ids), with the semantics sg-sentry relies on, as EC2 has them:
 *
 * - revoke by rule id: every id must be a rule of that group and direction, or the whole call
 *   fails with `InvalidSecurityGroupRuleId.NotFound` and nothing is removed;
 * - revoke by permission: matched by content (protocol, ports, source; descriptions ignored,
 *   CIDR host bits cleared); what matches nothing comes back as unknown (`UnknownIpPermissions`),
 *   the rest is removed (some EC2-compatible APIs answer `InvalidPermission.NotFound` instead;
 *   `failOn` reproduces that);
 * - authorize: a permission that already exists (or is named twice) fails the whole call with
 *   `InvalidPermission.Duplicate`, nothing added;
 * - describe rules: by id (one unknown id fails the call) or by group filter, in pages; the
 *   token is a cursor, so rules revoked between two pages do not shift what the next page holds;
 *   describe groups: one unknown group fails the call with `InvalidGroup.NotFound`;
 * - delete tag: removes the key only while it still has the value given (EC2's DeleteTags with
 *   a `Value`); otherwise nothing changes and the call still succeeds;
 * - a group that does not exist fails any call naming it with `InvalidGroup.NotFound`;
 * - rules the adapter could not read (`addUnreadable`) come back in the first page that
 *   describes their group, or in the answer that names them by id, as `unreadable`;
 * - managed prefix lists (owner, name, version, entries of every version): describe by id (one
 *   unknown id fails the call with `InvalidPrefixListID.NotFound`), entries at a version, and
 *   removing entries guarded by the version the caller read (`PrefixListVersionMismatch`
 *   otherwise; an entry that is not in the list fails the call), one version up per change.
 *
 * Every call is recorded in `calls`; `onCall` observes calls; `failOn` makes chosen calls fail
 * the way the adapter reports AWS failures (`Ec2CallError`, retryable or not).
 */
import { Ec2CallError } from '../../function/core/errors';
import { ruleKey } from '../../function/core/model/rule-key';
import type { PrefixListEntry, PrefixListInfo } from '../../function/core/model/prefix-list';
import type { Rule } from '../../function/core/model/rule';
import type {
  AuthorizeRequest,
  DeleteTagRequest,
  DescribeRulesPage,
  DescribeRulesRequest,
  Ec2Port,
  GroupInfo,
  PrefixListEntriesRequest,
  RemovePrefixListEntriesRequest,
  RevokeByIdRequest,
  RevokeByPermissionRequest,
  RevokeResult,
  UnreadableRule,
} from '../../function/core/ports';

export type StoredRule = Rule & { readonly ruleId: string; readonly groupId: string };

export interface FakeGroup {
  readonly groupId: string;
  readonly groupName?: string;
  readonly vpcId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface FakePrefixList {
  readonly prefixListId: string;
  readonly name?: string;
  /** `AWS` for AWS-managed lists; default: the account; null: none given (as some EC2-compatible APIs answer). */
  readonly ownerId?: string | null;
  readonly entries: readonly PrefixListEntry[];
}

export type Ec2Method = keyof Ec2Port;

export interface RecordedEc2Call {
  readonly method: Ec2Method;
  readonly request: unknown;
}

interface Failure {
  readonly method: Ec2Method;
  readonly error: () => Error;
  readonly when: (request: never) => boolean;
  remaining: number;
}

const DEFAULT_PAGE_SIZE = 1000;

export function notFound(code: string, message: string): Ec2CallError {
  return new Ec2CallError(code, message, false);
}

/** What throttling looks like once the adapter has classified it. */
export function throttled(): Ec2CallError {
  return new Ec2CallError('RequestLimitExceeded', 'Request limit exceeded.', true);
}

export class InMemoryEc2 implements Ec2Port {
  readonly calls: RecordedEc2Call[] = [];
  private readonly groups = new Map<string, Required<Pick<FakeGroup, 'groupId' | 'tags'>> & FakeGroup>();
  /** Every version of each list's entries; the last is the current one (version = its position + 1). */
  private readonly prefixLists = new Map<
    string,
    { readonly info: Omit<PrefixListInfo, 'version'>; readonly versions: PrefixListEntry[][] }
  >();
  private stored: StoredRule[] = [];
  private readonly unreadableRules: UnreadableRule[] = [];
  /** Creation order of each rule, for page cursors. */
  private readonly sequence = new WeakMap<StoredRule, number>();
  private created = 0;
  private nextRuleNumber = 1;
  private readonly failures: Failure[] = [];
  private readonly listeners: { readonly method: Ec2Method; readonly listener: (request: unknown) => void }[] = [];

  addGroup(group: FakeGroup): this {
    this.groups.set(group.groupId, { ...group, tags: { ...(group.tags ?? {}) } });
    return this;
  }

  /** Adds a rule as if it had been authorized; the group is created when it does not exist. */
  addRule(rule: Omit<Rule, 'groupId' | 'ruleId'> & { readonly groupId: string; readonly ruleId?: string }): StoredRule {
    if (!this.groups.has(rule.groupId)) this.addGroup({ groupId: rule.groupId });
    const stored: StoredRule = { ...rule, ruleId: rule.ruleId ?? this.newRuleId() };
    this.stored.push(stored);
    this.sequence.set(stored, ++this.created);
    return stored;
  }

  /** A rule EC2 holds in a form the adapter cannot read (an unknown protocol or source). */
  addUnreadable(rule: UnreadableRule): this {
    if (rule.groupId !== undefined && !this.groups.has(rule.groupId)) this.addGroup({ groupId: rule.groupId });
    this.unreadableRules.push(rule);
    return this;
  }

  addPrefixList(list: FakePrefixList): this {
    this.prefixLists.set(list.prefixListId, {
      info: {
        prefixListId: list.prefixListId,
        ...(list.ownerId === null ? {} : { ownerId: list.ownerId ?? '123456789012' }),
        ...(list.name !== undefined ? { name: list.name } : {}),
      },
      versions: [[...list.entries]],
    });
    return this;
  }

  /** Changes a list as its owner would (a new version), as ModifyManagedPrefixList by someone else does. */
  editPrefixList(prefixListId: string, change: { add?: readonly PrefixListEntry[]; remove?: readonly string[] }): void {
    const list = this.prefixList(prefixListId);
    const current = list.versions.at(-1) ?? [];
    list.versions.push([...current.filter((e) => !(change.remove ?? []).includes(e.cidr)), ...(change.add ?? [])]);
  }

  /** The list's current entries and version. */
  prefixListState(prefixListId: string): { readonly version: number; readonly entries: readonly PrefixListEntry[] } {
    const list = this.prefixList(prefixListId);
    return { version: list.versions.length, entries: list.versions.at(-1) ?? [] };
  }

  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
    this.stored = this.stored.filter((r) => r.groupId !== groupId);
  }

  /** The rules EC2 holds now, in the order they were created. */
  rules(groupId?: string): StoredRule[] {
    return this.stored.filter((r) => groupId === undefined || r.groupId === groupId);
  }

  /** The calls of one method, in order. */
  callsOf(method: Ec2Method): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** Runs `listener` on every call of `method`, before it takes effect (a clock that advances per call). */
  onCall<M extends Ec2Method>(method: M, listener: (request: Parameters<Ec2Port[M]>[0]) => void): this {
    this.listeners.push({ method, listener: listener as (request: unknown) => void });
    return this;
  }

  /** Makes `method` fail with `error` (for requests `when` accepts), `times` times. */
  failOn<M extends Ec2Method>(
    method: M,
    error: Error | (() => Error),
    options: { when?: (request: Parameters<Ec2Port[M]>[0]) => boolean; times?: number } = {},
  ): this {
    this.failures.push({
      method,
      error: typeof error === 'function' ? error : () => error,
      when: (options.when ?? (() => true)) as (request: never) => boolean,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
    });
    return this;
  }

  async revokeRuleIds(request: RevokeByIdRequest): Promise<RevokeResult> {
    this.enter('revokeRuleIds', request);
    this.group(request.groupId);
    const targets = request.ruleIds.map((id) => {
      const rule = this.stored.find((r) => r.ruleId === id && r.groupId === request.groupId && r.direction === request.direction);
      if (rule === undefined) throw notFound('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      return rule;
    });
    this.stored = this.stored.filter((r) => !targets.includes(r));
    return { unknownRules: [] };
  }

  async revokePermissions(request: RevokeByPermissionRequest): Promise<RevokeResult> {
    this.enter('revokePermissions', request);
    const groupId = this.groupIdOf(request.groupId, request.groupName);
    const unknownRules: Rule[] = [];
    for (const rule of request.rules) {
      const key = ruleKey({ ...rule, direction: request.direction });
      const match = this.stored.find((r) => r.groupId === groupId && ruleKey(r) === key);
      if (match === undefined) unknownRules.push(rule);
      else this.stored = this.stored.filter((r) => r !== match);
    }
    return { unknownRules };
  }

  async authorizePermissions(request: AuthorizeRequest): Promise<void> {
    this.enter('authorizePermissions', request);
    this.group(request.groupId);
    const keys = new Set<string>();
    for (const rule of request.rules) {
      const key = ruleKey({ ...rule, direction: request.direction });
      if (keys.has(key) || this.stored.some((r) => r.groupId === request.groupId && ruleKey(r) === key)) {
        throw notFound('InvalidPermission.Duplicate', 'the specified rule already exists');
      }
      keys.add(key);
    }
    for (const rule of request.rules) this.addRule({ ...rule, direction: request.direction, groupId: request.groupId });
  }

  async describeRules(request: DescribeRulesRequest): Promise<DescribeRulesPage> {
    this.enter('describeRules', request);
    let rules = this.stored;
    if (request.ruleIds !== undefined) {
      for (const id of request.ruleIds) {
        if (!rules.some((r) => r.ruleId === id) && !this.unreadableRules.some((r) => r.ruleId === id))
          throw notFound('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      }
      rules = rules.filter((r) => request.ruleIds?.includes(r.ruleId));
    }
    if (request.groupIds !== undefined) rules = rules.filter((r) => request.groupIds?.includes(r.groupId));
    if (request.nextToken !== undefined) {
      const after = this.cursorOf(request.nextToken);
      rules = rules.filter((r) => this.sequenceOf(r) > after);
    }
    const size = request.maxResults ?? DEFAULT_PAGE_SIZE;
    const page = rules.slice(0, size);
    const last = page.at(-1);
    const next = rules.length > size && last !== undefined ? { nextToken: `after-${this.sequenceOf(last)}` } : {};
    const { ruleIds } = request;
    const unreadable =
      request.nextToken !== undefined
        ? []
        : ruleIds !== undefined
          ? this.unreadableRules.filter((r) => r.ruleId !== undefined && ruleIds.includes(r.ruleId))
          : this.unreadableRules.filter(
              (r) => request.groupIds === undefined || (r.groupId !== undefined && request.groupIds.includes(r.groupId)),
            );
    return { rules: page.map((r) => ({ ...r })), ...(unreadable.length > 0 ? { unreadable } : {}), ...next };
  }

  async describeGroups(groupIds: readonly string[]): Promise<readonly GroupInfo[]> {
    this.enter('describeGroups', groupIds);
    return groupIds.map((id) => this.groupInfo(this.group(id)));
  }

  async describeGroupByName(groupName: string): Promise<GroupInfo | undefined> {
    this.enter('describeGroupByName', groupName);
    return this.groupInfo(this.group(this.groupIdOf(undefined, groupName)));
  }

  private groupInfo(group: FakeGroup & { readonly tags: Readonly<Record<string, string>> }): GroupInfo {
    return {
      groupId: group.groupId,
      ...(group.groupName !== undefined ? { groupName: group.groupName } : {}),
      ...(group.vpcId !== undefined ? { vpcId: group.vpcId } : {}),
      tags: { ...group.tags },
    };
  }

  async deleteTag(request: DeleteTagRequest): Promise<void> {
    this.enter('deleteTag', request);
    const group = this.group(request.groupId);
    if (group.tags[request.key] !== request.value) return;
    const { [request.key]: _removed, ...rest } = group.tags;
    this.groups.set(group.groupId, { ...group, tags: rest });
  }

  /** The group's tags as EC2 holds them now. */
  tagsOf(groupId: string): Readonly<Record<string, string>> {
    return { ...this.group(groupId).tags };
  }

  async describePrefixLists(prefixListIds: readonly string[]): Promise<readonly PrefixListInfo[]> {
    this.enter('describePrefixLists', prefixListIds);
    return prefixListIds.map((id) => {
      const list = this.prefixList(id);
      return { ...list.info, version: list.versions.length };
    });
  }

  async prefixListEntries(request: PrefixListEntriesRequest): Promise<readonly PrefixListEntry[]> {
    this.enter('prefixListEntries', request);
    const list = this.prefixList(request.prefixListId);
    const version = request.version ?? list.versions.length;
    const entries = list.versions[version - 1];
    if (entries === undefined) throw notFound('InvalidParameterValue', `version ${version} of ${request.prefixListId} does not exist`);
    return entries.map((e) => ({ ...e }));
  }

  async removePrefixListEntries(request: RemovePrefixListEntriesRequest): Promise<{ readonly version?: number }> {
    this.enter('removePrefixListEntries', request);
    const list = this.prefixList(request.prefixListId);
    if (request.currentVersion !== list.versions.length) {
      throw notFound('PrefixListVersionMismatch', 'The prefix list has the incorrect version number.');
    }
    const current = list.versions.at(-1) ?? [];
    for (const cidr of request.cidrs) {
      if (!current.some((e) => e.cidr === cidr))
        throw notFound('InvalidPrefixListModification', `The entry ${cidr} is not in ${request.prefixListId}`);
    }
    list.versions.push(current.filter((e) => !request.cidrs.includes(e.cidr)));
    return { version: list.versions.length };
  }

  private enter(method: Ec2Method, request: unknown): void {
    this.calls.push({ method, request });
    for (const l of this.listeners) if (l.method === method) l.listener(request);
    const failure = this.failures.find((f) => f.method === method && f.remaining > 0 && f.when(request as never));
    if (failure === undefined) return;
    failure.remaining -= 1;
    throw failure.error();
  }

  private prefixList(prefixListId: string) {
    const list = this.prefixLists.get(prefixListId);
    if (list === undefined) throw notFound('InvalidPrefixListID.NotFound', `The prefix list ID '${prefixListId}' does not exist`);
    return list;
  }

  private group(groupId: string) {
    const group = this.groups.get(groupId);
    if (group === undefined) throw notFound('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    return group;
  }

  /** A group named by id, or (default VPC, ingress only in EC2) by name. */
  private groupIdOf(groupId: string | undefined, groupName: string | undefined): string {
    if (groupId !== undefined) return this.group(groupId).groupId;
    const byName = [...this.groups.values()].find((g) => g.groupName === groupName);
    if (byName === undefined) throw notFound('InvalidGroup.NotFound', `The security group '${groupName}' does not exist in default VPC`);
    return byName.groupId;
  }

  private sequenceOf(rule: StoredRule): number {
    return this.sequence.get(rule) ?? 0;
  }

  private cursorOf(token: string): number {
    const match = /^after-(\d+)$/.exec(token);
    if (match === null) throw new Ec2CallError('InvalidParameterValue', `Invalid value '${token}' for nextToken`, false);
    return Number(match[1]);
  }

  private newRuleId(): string {
    return `sgr-${(this.nextRuleNumber++).toString(16).padStart(17, '0')}`;
  }
}
