/**
 * A managed prefix list changed (ModifyManagedPrefixList, RestoreManagedPrefixListVersion):
 * whoever edits a list opens every group that references it, without touching a group. So the
 * list is read as it is now (entries and version), the rules of the region that reference it are
 * found, and each watched one is judged with the list's entries as its sources. The entries that
 * make any such rule a violation are offending; in enforce mode exactly those are removed, in
 * one call guarded by the version that was read, and the rules and the other entries stay.
 * A referencing rule is exempted as the sweep would exempt it: its group's `exclude_tags`, an
 * active time-boxed exception on its group, or an exemption the event path remembered for it.
 * Orchestration only, like `engine.ts`.
 */
import { type ChangeResult, notifyIfNeeded, targetOf } from './engine';
import { Ec2CallError, messageOf, RetryableRemediationError } from './errors';
import type { PrefixListChange } from './event/change';
import { evaluateRule, offendingEntries, prefixListTrust, ruleForEntry } from './judge/containment';
import { exemptionFor, groupExemption, groupScope } from './judge/exemptions';
import { rememberedExemption } from './judge/remembered-exemptions';
import { exceptionOf } from './judge/time-boxed-exception';
import { describeEachGroup, policyReadsTags } from './lookup/groups';
import { LIST_DOES_NOT_EXIST, PrefixListReader } from './lookup/prefix-lists';
import type { ExemptionRecord } from './model/exemption-record';
import type { Finding } from './model/finding';
import { prefixListLabel, type PrefixListEntry, type PrefixListFacts, type PrefixListInfo } from './model/prefix-list';
import type { Rule } from './model/rule';
import type { Policy } from './policy/policy';
import type { Ec2Port, EngineContext, GroupInfo } from './ports';
import { eventMetrics } from './report/metrics';
import { eventReport, type EventReport, type PrefixListReport, type SkippedReport } from './report/report';
import { prefixListRestore } from './report/restore';
import { deliverEventReport } from './report/security-hub-export';
import { boundedLogLine } from './report/size-bounds';
import { skippedReport } from './report/skipped-report';
import { notificationOf } from './report/event-notification';
import { publishOnce } from './notify-once';

/** DescribeSecurityGroupRules returns at most 1,000 rules a page. */
const PAGE_SIZE = 1000;
/** ModifyManagedPrefixList removes at most 100 entries a call. */
const REMOVE_BATCH = 100;
const VERSION_MISMATCH = 'PrefixListVersionMismatch';
/**
 * EC2 refuses to change a list while an earlier change is still being applied (its state is
 * `modify-in-progress` for a few seconds, e.g. right after the change this event reports, or
 * after the first of several removals): a later attempt succeeds, so these are retryable.
 */
const LIST_BUSY = new Set(['IncorrectState', 'ConcurrentMutationLimitExceeded']);

type CustomerList = Extract<PrefixListFacts, { state: 'customer-managed' }>;

/** A watched rule that references the list, and the entries that make it a violation. */
interface Referencing {
  readonly rule: Rule;
  readonly offending: readonly PrefixListEntry[];
  /** Why its violations are not acted on (an excluded group or tag, an active exception, a remembered exemption), if so. */
  readonly exempt?: string;
  /** Why an exception tag or a remembered exemption did not exempt it, said with each of its findings. */
  readonly notExempt?: string;
  /** Why its violations cannot be acted on for now: whether it is exempt could not be known. */
  readonly undecided?: string;
  /** Its group's tags and its remembered exemption were consulted (only needed once it has offending entries). */
  readonly checked?: true;
}

/** What was found and done for a customer-managed list: what the report and the findings say. */
interface ListDecision {
  readonly list: CustomerList;
  readonly references: readonly Referencing[];
  /** The entries that offend a watched rule that is acted on (the union, in list order). */
  readonly offending: readonly PrefixListEntry[];
  readonly removal: Removal | undefined;
  /** Why the change's principal is exempt, if so. */
  readonly principalExempt: string | undefined;
}

type Removal =
  | { readonly status: 'removed'; readonly version: number }
  | { readonly status: 'failed'; readonly error: string; readonly retryable: boolean };

function retryableEc2(error: unknown): boolean {
  return !(error instanceof Ec2CallError) || error.retryable;
}

/** Every rule of the region that takes its sources from the list (no API filters by list everywhere). */
async function referencingRules(prefixListId: string, ec2: Ec2Port): Promise<Rule[]> {
  const found: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.describeRules({ maxResults: PAGE_SIZE, ...(token !== undefined ? { nextToken: token } : {}) });
    for (const rule of page.rules) if (rule.source.kind === 'prefix_list' && rule.source.prefixListId === prefixListId) found.push(rule);
    token = page.nextToken;
  } while (token !== undefined);
  return found;
}

/** The offending entries of each watched referencing rule; unwatched groups are left out. */
function judgeReferences(rules: readonly Rule[], list: CustomerList, policy: Policy): Referencing[] {
  return rules
    .filter((rule) => groupScope(policy, rule.groupId).watched)
    .map((rule) => ({
      rule,
      // An entry naming the list trusts it whatever it holds; a rule no prefix-list entry covers
      // violates whatever the list holds, which removing entries cannot fix (the sweep judges it).
      offending: prefixListTrust(rule, policy) === 'wildcard' ? offendingEntries(rule, list.entries, policy) : [],
    }));
}

/** Union of the offending entries of the rules that are acted on, by CIDR, in list order. */
function offendingOf(references: readonly Referencing[], list: CustomerList): PrefixListEntry[] {
  const cidrs = new Set(references.filter(actedOn).flatMap((r) => r.offending.map((e) => e.cidr)));
  return list.entries.filter((entry) => cidrs.has(entry.cidr));
}

function actedOn(reference: Referencing): boolean {
  return reference.exempt === undefined && reference.undecided === undefined;
}

/**
 * What may exempt a referencing rule that has offending entries, consulted as the sweep
 * consults it and each only once per change: its group's tags (`exclude_tags`, the time-boxed
 * exception; one DescribeSecurityGroups for the groups together) and the exemption the event
 * path remembered for the rule (state table). A table that cannot be read leaves the rules it
 * would have decided `undecided`: nothing is removed for them on a guess.
 */
class ReferenceExemptions {
  private readonly groups = new Map<string, GroupInfo | null>();

  constructor(
    private readonly change: PrefixListChange,
    private readonly ctx: EngineContext,
    private readonly ec2: Ec2Port,
    /** With an exempt principal nothing is removed, so no rule's own exemption is looked up. */
    private readonly principalExempt: string | undefined,
  ) {}

  async apply(references: readonly Referencing[]): Promise<Referencing[]> {
    const pending = (r: Referencing) => r.offending.length > 0 && r.checked === undefined;
    if (!references.some(pending)) return [...references];
    const byTag = await this.withTags(references, pending);
    return this.withRemembered(byTag, pending);
  }

  private async withTags(references: readonly Referencing[], pending: (r: Referencing) => boolean): Promise<Referencing[]> {
    const { policy } = this.ctx;
    if (!policyReadsTags(policy)) return [...references];
    const unread = [...new Set(references.filter(pending).map((r) => r.rule.groupId ?? ''))].filter(
      (id) => id !== '' && !this.groups.has(id),
    );
    if (unread.length > 0) for (const [id, info] of await describeEachGroup(unread, this.ec2)) this.groups.set(id, info);
    return references.map((reference) => {
      if (!pending(reference)) return reference;
      const tags = this.groups.get(reference.rule.groupId ?? '')?.tags;
      const excluded = groupExemption(policy, reference.rule.groupId, tags);
      if (excluded !== undefined) return { ...reference, exempt: excluded };
      const exception = exceptionOf(policy, tags, this.ctx.now());
      if (exception === undefined) return reference;
      return exception.state === 'active' ? { ...reference, exempt: exception.reason } : { ...reference, notExempt: exception.reason };
    });
  }

  private async withRemembered(references: readonly Referencing[], pending: (r: Referencing) => boolean): Promise<Referencing[]> {
    const { state, policy, self } = this.ctx;
    const account = this.change.account;
    const checked = (r: Referencing): Referencing => (pending(r) ? { ...r, checked: true } : r);
    const asking = references.filter((r) => pending(r) && r.exempt === undefined && r.rule.ruleId !== undefined);
    if (state === undefined || account === undefined || this.principalExempt !== undefined || asking.length === 0)
      return references.map(checked);
    let records: Map<string, ExemptionRecord>;
    try {
      const found = await state.exemptionsOf(asking.map((r) => ({ account, region: this.change.region, ruleId: r.rule.ruleId ?? '' })));
      records = new Map(found.map((record) => [record.ruleId, record]));
    } catch (error) {
      const undecided = `the exemptions remembered for it could not be read (${messageOf(error)})`;
      return references.map((r) => checked(asking.includes(r) ? { ...r, undecided } : r));
    }
    return references.map((reference) => {
      const record = asking.includes(reference) ? records.get(reference.rule.ruleId ?? '') : undefined;
      if (record === undefined) return checked(reference);
      const remembered = rememberedExemption(record, reference.rule, policy, self);
      if ('exempt' in remembered) return checked({ ...reference, exempt: remembered.exempt });
      const notExempt = reference.notExempt === undefined ? remembered.lapsed : `${reference.notExempt}; ${remembered.lapsed}`;
      return checked({ ...reference, notExempt });
    });
  }
}

/** Removes the entries in calls of at most 100, each naming the version the last one left. */
async function removeEntries(ec2: Ec2Port, info: PrefixListInfo, version: number, cidrs: readonly string[]): Promise<number> {
  let current = version;
  for (let i = 0; i < cidrs.length; i += REMOVE_BATCH) {
    const answer = await ec2.removePrefixListEntries({
      prefixListId: info.prefixListId,
      currentVersion: current,
      cidrs: cidrs.slice(i, i + REMOVE_BATCH),
    });
    current = answer.version !== undefined && answer.version > current ? answer.version : current + 1;
  }
  return current;
}

export async function processPrefixListChange(
  change: PrefixListChange,
  ctx: EngineContext,
): Promise<ChangeResult | { report: SkippedReport }> {
  const { policy } = ctx;
  const id = change.prefixListId;
  if (!policy.inspectPrefixLists) {
    const report = skippedReport('ignored', undefined, `inspect_prefix_lists is false: prefix list ${id} is trusted by reference`, {
      eventId: change.eventId,
      eventName: change.eventName,
    });
    ctx.log({ level: 'info', message: 'sg-sentry ignored event', ...report });
    return { report };
  }
  const ports = ctx.portsFor(targetOf(change));
  if (ports === undefined)
    throw new Error(`processPrefixListChange: no ports for account ${change.account}; check unreachableAccount() first`);
  const { ec2 } = ports;
  const principalExempt = exemptionFor(policy, change.principal, ctx.self);
  const exemptions = new ReferenceExemptions(change, ctx, ec2, principalExempt);

  let list: PrefixListFacts;
  let references: Referencing[] = [];
  try {
    list = await readList(id, ec2);
    if (list.state === 'customer-managed')
      references = await exemptions.apply(judgeReferences(await referencingRules(id, ec2), list, policy));
  } catch (error) {
    if (retryableEc2(error))
      throw new RetryableRemediationError(`looking up prefix list ${id} failed: ${messageOf(error)}`, { cause: error });
    throw error;
  }
  if (list.state !== 'customer-managed') {
    const result = finish(change, ctx, notInspected(id, list), []);
    if (list.state === 'unreadable' && list.reason !== LIST_DOES_NOT_EXIST) {
      // A list that exists but may not be read (access denied): what it opens now is unknown, so
      // people are told and the change counts as one nothing could check.
      ctx.metrics?.record({
        account: change.account ?? null,
        time: ctx.now(),
        metrics: [{ name: 'CouldNotCheck', unit: 'Count', value: 1 }],
      });
      try {
        await publishOnce(result.report.event_id, { ...notificationOf(result.report), report: result.report }, ctx, {
          event_id: result.report.event_id,
        });
      } finally {
        logLine(ctx, result);
      }
      return result;
    }
    logLine(ctx, result);
    return result;
  }

  let offending = offendingOf(references, list);
  let removal: Removal | undefined;
  if (offending.length > 0 && principalExempt === undefined && policy.mode === 'enforce') {
    ({ removal, list, offending, references } = await removeWithVersionGuard(id, ec2, list, references, policy, offending, exemptions));
  }
  const decision: ListDecision = { list, references, offending, removal, principalExempt };
  const part = listReport(decision, policy);
  const findings = findingsOf(decision, policy);
  const result = finish(change, ctx, part, findings, removal);
  if (removal?.status === 'failed' && removal.retryable) {
    logLine(ctx, result);
    throw new RetryableRemediationError(`removing entries from prefix list ${id} failed, a retry may finish it: ${removal.error}`);
  }
  // A second delivery of the same change (same event id) sends no second notification; the one
  // log line comes after the notification, so it can say so.
  let delivered: EventReport | undefined;
  try {
    delivered = await deliverEventReport(result.report, () => notifyIfNeeded(result.report, ctx), ports.securityHub, ctx);
  } finally {
    logLine(ctx, delivered?.duplicate ? { ...result, report: { ...result.report, duplicate: true } } : result);
  }
  return { ...result, report: delivered };
}

async function readList(id: string, ec2: Ec2Port): Promise<PrefixListFacts> {
  const facts = (await new PrefixListReader(ec2).read([id])).get(id);
  if (facts === undefined) throw new Ec2CallError('PrefixListUnreadable', `prefix list ${id} was not read`, true);
  if (facts.state === 'unreadable' && facts.retryable)
    throw new Ec2CallError('PrefixListUnreadable', `reading prefix list ${id} failed: ${facts.reason}`, true);
  return facts;
}

/**
 * One removal at the version read. When the list moved on meanwhile (`PrefixListVersionMismatch`),
 * it is read again once and the offending entries found anew; a second conflict fails retryably.
 */
async function removeWithVersionGuard(
  id: string,
  ec2: Ec2Port,
  first: CustomerList,
  firstReferences: Referencing[],
  policy: Policy,
  firstOffending: PrefixListEntry[],
  exemptions: ReferenceExemptions,
): Promise<{ removal: Removal; list: CustomerList; offending: PrefixListEntry[]; references: Referencing[] }> {
  let list = first;
  let offending = firstOffending;
  let references = firstReferences;
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await removeEntries(
        ec2,
        list.info,
        list.info.version ?? 0,
        offending.map((e) => e.cidr),
      );
      return { removal: { status: 'removed', version }, list, offending, references };
    } catch (error) {
      const mismatch = error instanceof Ec2CallError && error.code === VERSION_MISMATCH;
      if (!mismatch || attempt === 2) {
        const busy = error instanceof Ec2CallError && LIST_BUSY.has(error.code);
        const retryable = mismatch || busy || retryableEc2(error);
        return { removal: { status: 'failed', error: messageOf(error), retryable }, list, offending, references };
      }
    }
    const facts = (await new PrefixListReader(ec2).read([id])).get(id);
    if (facts?.state !== 'customer-managed') {
      return {
        removal: { status: 'failed', error: `prefix list ${id} changed and could not be read again`, retryable: true },
        list,
        offending,
        references,
      };
    }
    const current: CustomerList = facts;
    list = current;
    const rejudged = references.map((r) => ({
      ...r,
      offending: prefixListTrust(r.rule, policy) === 'wildcard' ? offendingEntries(r.rule, current.entries, policy) : [],
    }));
    try {
      // A rule that offends only now has not had its exemptions looked up yet.
      references = await exemptions.apply(rejudged);
    } catch (error) {
      return {
        removal: {
          status: 'failed',
          error: `prefix list ${id} changed, and the groups now concerned could not be read: ${messageOf(error)}`,
          retryable: retryableEc2(error),
        },
        list,
        offending,
        references: rejudged,
      };
    }
    offending = offendingOf(references, list);
    if (offending.length === 0) return { removal: { status: 'removed', version: list.info.version ?? 0 }, list, offending, references };
  }
}

function notInspected(id: string, list: PrefixListFacts): PrefixListReport {
  const info = list.state === 'unreadable' ? undefined : list.info;
  return {
    prefix_list_id: id,
    name: info?.name ?? null,
    owner_id: info?.ownerId ?? null,
    version: info?.version ?? null,
    entries: 0,
    offending_entries: [],
    referencing_groups: [],
    outcome: 'not-inspected',
    detail: list.state === 'unreadable' ? `the list could not be read: ${list.reason}` : 'the list is AWS-managed, so it is trusted',
  };
}

function listReport({ list, references, offending, removal, principalExempt }: ListDecision, policy: Policy): PrefixListReport {
  const info = list.info;
  let outcome: PrefixListReport['outcome'];
  let detail: string | undefined;
  const exemptReferences = references.filter((r) => r.exempt !== undefined && r.offending.length > 0);
  const undecided = references.find((r) => r.undecided !== undefined && r.offending.length > 0)?.undecided;
  if (offending.length === 0 && undecided !== undefined) {
    // Entries offend only rules that may be exempt: nothing is removed on a guess.
    outcome = 'failed';
    detail = `nothing removed: ${undecided}`;
  } else if (offending.length === 0 && exemptReferences.length > 0) {
    // Entries offend only rules of excluded groups: nothing is removed, but it is not allowed either.
    outcome = 'exempt';
    detail = exemptReferences[0]?.exempt;
  } else if (offending.length === 0) {
    outcome = 'nothing-to-remove';
    detail =
      references.length === 0
        ? 'no watched rule references the list'
        : references.every((r) => prefixListTrust(r.rule, policy) !== 'wildcard')
          ? 'no watched rule that references the list is judged by its entries: an allow entry names the list by id, or no prefix_list entry covers the rule (whatever the list holds, the sweep judges such a rule)'
          : 'every entry is allowed for every watched rule that references the list';
  } else if (principalExempt !== undefined) {
    outcome = 'exempt';
    detail = principalExempt;
  } else if (policy.mode === 'report') {
    outcome = 'would-remove';
  } else if (removal?.status === 'removed') {
    outcome = 'removed';
  } else {
    outcome = 'failed';
    detail = removal?.status === 'failed' ? removal.error : 'the removal was not attempted';
  }
  return {
    prefix_list_id: info.prefixListId,
    name: info.name ?? null,
    owner_id: info.ownerId ?? null,
    version: info.version ?? null,
    ...(removal?.status === 'removed' && offending.length > 0 ? { new_version: removal.version } : {}),
    entries: list.entries.length,
    offending_entries: offending.map((e) => ({ cidr: e.cidr, ...(e.description !== undefined ? { description: e.description } : {}) })),
    referencing_groups: [...new Set(references.map((r) => r.rule.groupId ?? r.rule.groupName ?? 'unknown'))],
    outcome,
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** One finding per referencing rule and entry that makes it a violation. */
function findingsOf({ list, references, offending, removal, principalExempt }: ListDecision, policy: Policy): Finding[] {
  const label = prefixListLabel(list.info);
  const removed = new Set(offending.map((e) => e.cidr));
  const findings: Finding[] = [];
  for (const reference of references) {
    for (const entry of reference.offending) {
      const rule = ruleForEntry(reference.rule, entry);
      const judged = `entry ${entry.cidr} of prefix list ${label}, the source of ${reference.rule.ruleId ?? 'a rule'} on ${reference.rule.groupId ?? 'its group'}: ${evaluateRule(rule, policy).reason}`;
      const verdictReason = reference.notExempt === undefined ? judged : `${judged}; ${reference.notExempt}`;
      const base = { rule, verdictReason, prefixListId: list.info.prefixListId };
      const exempt = reference.exempt ?? principalExempt;
      if (exempt !== undefined) {
        findings.push({ ...base, verdict: 'exempt', action: 'none', reason: `${exempt}; ${verdictReason}` });
      } else if (reference.undecided !== undefined && !removed.has(entry.cidr)) {
        // Removed anyway when another rule's violation needed it; otherwise left for the sweep to judge.
        findings.push({
          ...base,
          verdict: 'violation',
          action: 'failed',
          reason: verdictReason,
          error: `not removed: ${reference.undecided}; the next sweep judges the rule`,
        });
      } else if (policy.mode === 'report') {
        findings.push({
          ...base,
          verdict: 'violation',
          action: 'reported',
          reason: `would remove the entry from ${label}: ${verdictReason}`,
        });
      } else if (removal?.status === 'removed') {
        findings.push({ ...base, verdict: 'violation', action: 'revoked', reason: `removed the entry from ${label}: ${verdictReason}` });
      } else {
        const error = removal?.status === 'failed' ? removal.error : 'the removal was not attempted';
        findings.push({ ...base, verdict: 'violation', action: 'failed', reason: verdictReason, error });
      }
    }
  }
  return findings;
}

interface ListResult extends ChangeResult {
  /** `error` when the list could not be read or something failed. */
  readonly level: 'info' | 'error';
}

/** The change's one log line. */
function logLine(ctx: EngineContext, { report, level }: ListResult): void {
  ctx.log(boundedLogLine({ level, message: 'sg-sentry prefix list', ...report }));
}

/** The report of the change, and its metrics; the caller writes its log line once the notification is settled. */
function finish(
  change: PrefixListChange,
  ctx: EngineContext,
  part: PrefixListReport,
  findings: readonly Finding[],
  removal?: Removal,
): ListResult {
  const groups = part.referencing_groups;
  const base = eventReport({ ...change, ...(groups.length === 1 ? { groupId: groups[0] } : {}) }, undefined, findings, ctx.policy);
  const restore =
    removal?.status === 'removed' && part.offending_entries.length > 0
      ? [
          prefixListRestore(
            { account: change.account ?? null, region: change.region },
            { prefixListId: part.prefix_list_id, ...(part.name ? { name: part.name } : {}), version: removal.version },
            part.offending_entries,
          ),
        ]
      : [];
  const report: EventReport = { ...base, restore, prefix_list: part };
  // Counted like any event's findings (a removed entry is `Revoked`), before a retryable failure throws.
  ctx.metrics?.record(eventMetrics(report, ctx.now()));
  const failed =
    part.outcome === 'failed' ||
    part.detail?.startsWith('the list could not be read') === true ||
    findings.some((f) => f.action === 'failed');
  return { report, findings, level: failed ? 'error' : 'info' };
}
