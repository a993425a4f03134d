/**
 * The scheduled sweep: list the rules that already exist in one region, judge each with the
 * same engine as the event path (`judgeRules`, `act`), act per mode and action,
 * and send one summary. CloudTrail reaches EventBridge on a best-effort basis, so this is what
 * catches the changes no event told us about.
 *
 * It stops cleanly before the Lambda's time limit and reports what it did not reach. Nothing is
 * carried over: the next sweep starts from the beginning again (pagination tokens are
 * short-lived, and in enforce mode the rules already revoked are gone from the listing anyway).
 */
import { act } from './act/act';
import type { SweepRequest } from './event/change';
import { Ec2CallError, EventValidationError, messageOf, RetryableRemediationError } from './errors';
import { groupExemption } from './judge/exemptions';
import { listsToInspect } from './judge/containment';
import { judgeRules } from './judge/judge';
import { publishOnce } from './notify-once';
import { exceptionOf, withException } from './judge/time-boxed-exception';
import { honourRemembered, refreshedRecords } from './judge/remembered-exemptions';
import { PrefixListReader } from './lookup/prefix-lists';
import type { PrefixListLookup } from './model/prefix-list';
import { describeEachGroup, policyReadsTags } from './lookup/groups';
import type { Finding, Judgement } from './model/finding';
import type { Rule } from './model/rule';
import { Pool } from './pool';
import type {
  DescribeRulesPage,
  Ec2Port,
  EngineContext,
  ExemptionRecord,
  GroupInfo,
  SecurityHubPort,
  TargetPorts,
  UnreadableRule,
} from './ports';
import { sweepMetrics } from './report/metrics';
import { boundedLogLine } from './report/size-bounds';
import type { ExceptionInForce, SweepRemainder, SweepReport } from './report/report';
import { notifyThenImport } from './report/security-hub-export';
import { shouldNotifySweep, sweepNotificationOf } from './report/sweep-notification';
import { SweepTally, type SweepProgress } from './report/sweep-report';
import { plural } from './report/text';

export type { SweepProgress } from './report/sweep-report';

/** DescribeSecurityGroupRules returns at most 1,000 rules a page. */
const SWEEP_PAGE_SIZE = 1000;
/** EC2 accepts at most 200 values in one filter, and as many group ids in one Describe call. */
const GROUP_BATCH_LIMIT = 200;
/** Time kept back for the call in flight, the summary notification and the log line. */
const DEFAULT_RESERVE_MS = 10_000;
/** A log line carries at most this many findings (and no more than fit CloudWatch); the counts are always complete. */
const LOG_FINDINGS_LIMIT = 500;
/**
 * EC2 calls of one sweep in flight at once. Enough to keep a round trip of tens of milliseconds
 * from bounding the sweep (ten revokes a round trip, against EC2's mutating bucket of a few
 * hundred and its refill of a few a second), few enough that one sweep never floods an account.
 */
export const SWEEP_CONCURRENCY = 10;

export interface SweepOptions {
  /** Milliseconds left before the caller must return (Lambda's `getRemainingTimeInMillis`); absent = no limit. */
  readonly remainingMs?: () => number;
  /**
   * Stop when less than this is left. Default: 10 s, or a fifth of the time left at the
   * start when that is smaller, so short timeouts still get work done.
   */
  readonly reserveMs?: number;
  readonly pageSize?: number;
  /** EC2 calls in flight at once (describes and revokes of different groups); default SWEEP_CONCURRENCY, 1 = one after another. */
  readonly concurrency?: number;
  /** Called after each page (the CLI prints a progress line). */
  readonly onProgress?: (progress: SweepProgress) => void;
}

/**
 * When the time left falls inside the reserve: 10 s, or a fifth of the time left now when that
 * is smaller, so short timeouts still get work done. undefined: no limit.
 */
export function sweepDeadline(options: Pick<SweepOptions, 'remainingMs' | 'reserveMs'>): (() => boolean) | undefined {
  const remaining = options.remainingMs;
  if (remaining === undefined) return undefined;
  const reserve = options.reserveMs ?? Math.min(DEFAULT_RESERVE_MS, Math.max(0, remaining()) / 5);
  return () => remaining() <= reserve;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A promise's outcome as a value, so work started ahead of time (a page, its reads, its revokes) never rejects unobserved. */
type Settled<T> = { readonly value: T } | { readonly error: unknown };

function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

interface GroupJudgements {
  readonly groupId: string;
  readonly judgements: readonly Judgement[];
}

/**
 * What reading a page found besides its judgements: added to the sweep's report when the page is
 * taken, dropped with it when the time runs out first (the next sweep reads the page again).
 */
class PageNotes {
  readonly errors: string[] = [];
  readonly notReached: SweepRemainder[] = [];
  firstError: unknown;
}

/** A page judged, with the reads its verdicts needed, not yet counted or acted on. */
interface PreparedPage {
  readonly groups: readonly GroupJudgements[];
  readonly unreadable: readonly UnreadableRule[];
  /** Why an unreadable rule's whole group is exempt, if it is. */
  readonly unreadableExemption: (groupId: string | undefined) => string | undefined;
  readonly exceptionsInForce: readonly ExceptionInForce[];
  readonly notes: PageNotes;
}

/** Rules carry their group's name when DescribeSecurityGroups was read anyway (for tags), so a report names the group without another call. */
function named(rules: Rule[], groupName: string | undefined): Rule[] {
  return groupName === undefined ? rules : rules.map((rule) => (rule.groupName === undefined ? { ...rule, groupName } : rule));
}

/** Runs one sweep of `request.region`. Never throws for a partial failure; see `SweepReport.errors`. */
export async function processSweep(request: SweepRequest, ctx: EngineContext, options: SweepOptions = {}): Promise<SweepReport> {
  const region = request.region;
  if (region === undefined || region === '') throw new EventValidationError(['region: the scheduled event names no region to sweep']);
  const ports = ctx.portsFor({ ...(request.account !== undefined ? { account: request.account } : {}), region });
  if (ports === undefined) {
    throw new Ec2CallError(
      'NoMemberRole',
      `account ${request.account} is not the function's own, and no member role is configured to act in it`,
      false,
    );
  }
  return new Sweep(region, request.account, ports, ctx, options).run(request);
}

class Sweep {
  private readonly ec2: Ec2Port;
  private readonly securityHub: SecurityHubPort | undefined;
  private readonly tally = new SweepTally();
  private readonly notReached: SweepRemainder[] = [];
  private readonly errors: string[] = [];
  /** Group id → what DescribeSecurityGroups said; null when the group no longer exists. */
  private readonly groupInfo = new Map<string, GroupInfo | null>();
  private readonly deadline: (() => boolean) | undefined;
  /** Every EC2 call of this sweep goes through it. */
  private readonly pool: Pool;
  private readonly prefixLists: PrefixListReader;
  private pages = 0;
  /** Set once the time is up: no batch that would change EC2 starts after it. */
  private stopped = false;
  private firstError: unknown;

  constructor(
    private readonly region: string,
    private readonly account: string | undefined,
    ports: TargetPorts,
    private readonly ctx: EngineContext,
    private readonly options: SweepOptions,
  ) {
    this.ec2 = ports.ec2;
    this.deadline = sweepDeadline(options);
    this.pool = new Pool(options.concurrency ?? SWEEP_CONCURRENCY);
    // Prefix-list reads share the pool, ahead of the revokes, like every read of the sweep.
    this.prefixLists = new PrefixListReader({
      describePrefixLists: (ids) => this.pool.run(() => this.ec2.describePrefixLists(ids), 'first'),
      prefixListEntries: (request) => this.pool.run(() => this.ec2.prefixListEntries(request), 'first'),
    });
    this.securityHub = ports.securityHub;
  }

  private outOfTime(): boolean {
    return this.deadline?.() ?? false;
  }

  async run(request: SweepRequest): Promise<SweepReport> {
    const { policy } = this.ctx;
    // With `groups: "*"` one unfiltered listing; otherwise the watched ids, 200 per filter.
    const scopes: (readonly string[] | undefined)[] =
      policy.groups === '*' ? [undefined] : chunks([...policy.groups].sort(), GROUP_BATCH_LIMIT);

    let stopped = false;
    for (const scope of scopes) {
      if (stopped) this.notReached.push({ group_ids: scope ?? null, next_token: null, reason: 'the sweep ran out of time' });
      else stopped = (await this.listScope(scope)) === 'out-of-time';
    }

    const report = this.report(request);
    const failed = report.errors.length > 0 || report.counts.failed > 0;
    this.ctx.log(
      boundedLogLine(
        { level: failed ? 'error' : report.incomplete ? 'warn' : 'info', message: 'sg-sentry sweep', ...report },
        LOG_FINDINGS_LIMIT,
      ),
    );
    this.ctx.metrics?.record(sweepMetrics(report, this.ctx.now()));

    if (this.pages === 0 && this.firstError !== undefined) {
      // Nothing could be examined: fail the invocation, so the error alarm and retries see it.
      const error = this.firstError;
      if (error instanceof Ec2CallError && !error.retryable) {
        // Permanent (the role may not list rules, or may not be assumed): a retry would not help,
        // so people hear of it now.
        await this.notify(report);
        throw error;
      }
      throw new RetryableRemediationError(`sweep of ${this.region} failed: ${messageOf(error)}`, { cause: error });
    }
    // Security Hub after the summary, whatever the summary did.
    const { notified, securityHub } = await notifyThenImport(report, () => this.notify(report), this.securityHub, this.ctx);
    return securityHub === undefined ? notified : { ...notified, security_hub: securityHub };
  }

  /** One page of a scope, through the pool, ahead of the revokes waiting there. */
  private listPage(scope: readonly string[] | undefined, token: string | undefined): Promise<Settled<DescribeRulesPage>> {
    const request = {
      ...(scope !== undefined ? { groupIds: scope } : {}),
      ...(token !== undefined ? { nextToken: token } : {}),
      maxResults: this.options.pageSize ?? SWEEP_PAGE_SIZE,
    };
    return this.pool.run(() => settled(this.ec2.describeRules(request)), 'first');
  }

  /**
   * Lists and handles every page of one scope, one page's reads overlapping the previous page's
   * revokes: while page N is acted on, page N+1 is listed, judged and its tags read; it is taken
   * (counted, acted on) once N's revokes are done, and then N+2 is asked for. So at most two
   * pages are held at once, findings keep their listing order, and a page is only counted when
   * the sweep still has time to act on it.
   */
  private async listScope(scope: readonly string[] | undefined): Promise<'done' | 'out-of-time'> {
    const ranOut = (token: string | undefined): 'out-of-time' => {
      this.notReached.push({ group_ids: scope ?? null, next_token: token ?? null, reason: 'the sweep ran out of time' });
      return 'out-of-time';
    };
    if (this.outOfTime()) return ranOut(undefined);
    /** The token that lists the page `next` brings (undefined: the first page). */
    let token: string | undefined;
    let next = this.listPage(scope, undefined);
    /** The page taken last, while its revokes run: whether the time ran out. */
    let acting: Promise<Settled<boolean>> | undefined;
    const finishActing = async (): Promise<boolean> => {
      if (acting === undefined) return false;
      const done = await acting;
      acting = undefined;
      if ('error' in done) throw done.error;
      return done.value;
    };
    for (;;) {
      const result = await next;
      const prepared = 'value' in result ? settled(this.preparePage(result.value)) : undefined;
      if ((await finishActing()) || this.outOfTime()) {
        // A page read ahead is dropped uncounted: the next sweep lists it again.
        await prepared;
        return ranOut(token);
      }
      if ('error' in result) {
        // The SDK has already retried throttling and 5xx; without this page's token the rest
        // of the scope cannot be listed, but other scopes still can.
        const { error } = result;
        this.firstError ??= error;
        const where = scope === undefined ? 'all groups' : `${scope.length} group(s) from ${scope[0]}`;
        this.errors.push(`DescribeSecurityGroupRules (${where}${token !== undefined ? ', after a page' : ''}) failed: ${messageOf(error)}`);
        this.notReached.push({ group_ids: scope ?? null, next_token: token ?? null, reason: `listing failed: ${messageOf(error)}` });
        return 'done';
      }
      const page = await prepared!;
      if ('error' in page) throw page.error;
      acting = settled(this.take(page.value));
      token = result.value.nextToken;
      if (token === undefined) return (await finishActing()) ? 'out-of-time' : 'done';
      if (this.outOfTime()) {
        await finishActing();
        return ranOut(token);
      }
      next = this.listPage(scope, token);
    }
  }

  /**
   * Judges one page and makes the reads its verdicts need (prefix lists, tags, remembered
   * exemptions), counting and acting on nothing: what it finds is applied by `take`.
   */
  private async preparePage(page: DescribeRulesPage): Promise<PreparedPage> {
    const { policy } = this.ctx;
    const notes = new PageNotes();
    const unreadable = page.unreadable ?? [];
    const byGroup = new Map<string, Rule[]>();
    for (const rule of page.rules) {
      const id = rule.groupId ?? '';
      let list = byGroup.get(id);
      if (list === undefined) {
        list = [];
        byGroup.set(id, list);
      }
      list.push(rule);
    }
    const lists = await this.readPrefixLists(page.rules, notes);
    // Tags only matter to a group with a violation (a rule that cannot be read is one): the
    // others cost no DescribeSecurityGroups.
    const violating = [...byGroup]
      .filter(
        ([id, list]) =>
          groupExemption(policy, id) === undefined && judgeRules(list, policy, undefined, lists).some((j) => j.verdict === 'violation'),
      )
      .map(([id]) => id);
    const unreadableGroups = unreadable.flatMap((r) =>
      r.groupId !== undefined && groupExemption(policy, r.groupId) === undefined ? [r.groupId] : [],
    );
    const unknownTags = await this.loadGroupInfo([...new Set([...violating, ...unreadableGroups])], notes);
    // Never dropped: what cannot be read is reported, unless its whole group is exempt.
    const unreadableExemption = (groupId: string | undefined) =>
      groupId !== undefined && unknownTags.has(groupId)
        ? undefined
        : groupExemption(policy, groupId, groupId === undefined ? undefined : this.groupInfo.get(groupId)?.tags);

    const judged: GroupJudgements[] = [];
    const exceptionsInForce: ExceptionInForce[] = [];
    for (const [groupId, allRules] of byGroup) {
      if (unknownTags.has(groupId)) continue;
      const info = this.groupInfo.get(groupId);
      // DescribeSecurityGroups no longer knows the group: it was deleted after the listing.
      if (info === null) continue;
      const groupRules = named(this.withReadableLists(groupId, allRules, lists, notes), info?.groupName);
      const exemptReason = groupExemption(policy, groupId, info?.tags);
      const exception = exemptReason === undefined ? exceptionOf(policy, info?.tags, this.ctx.now()) : undefined;
      const judgements = withException(judgeRules(groupRules, policy, exemptReason, lists), exception);
      if (exception?.state === 'active' && exception.until !== undefined && judgements.some((j) => j.verdict === 'exempt')) {
        exceptionsInForce.push({
          group_id: groupId,
          ...(info?.groupName !== undefined ? { group_name: info.groupName } : {}),
          tag: exception.tag,
          until: exception.until,
        });
      }
      judged.push({ groupId, judgements });
    }
    const groups = await this.applyRememberedExemptions(judged, notes);
    return { groups, unreadable, unreadableExemption, exceptionsInForce, notes };
  }

  /**
   * Counts a prepared page and starts acting on it: its groups together through the pool, each
   * one direction at a time. Resolves, once every group is done, to whether the time ran out.
   */
  private take(page: PreparedPage): Promise<boolean> {
    this.pages += 1;
    this.errors.push(...page.notes.errors);
    this.notReached.push(...page.notes.notReached);
    this.firstError ??= page.notes.firstError;
    this.tally.unreadable(page.unreadable, page.unreadableExemption);
    for (const exception of page.exceptionsInForce) this.tally.exceptionInForce(exception);
    for (const { groupId, judgements } of page.groups) this.tally.judged(groupId, judgements);
    // Only groups with something to act on or report are kept while the revokes run.
    const toAct = page.groups.filter(({ judgements }) => judgements.some((j) => j.verdict !== 'allowed'));
    return this.pool
      .map(toAct, ({ groupId, judgements }) => this.actOnGroup(groupId, judgements))
      .then((acted) => {
        // What the groups did is tallied in listing order.
        const unrevokedGroups: string[] = [];
        for (const [i, { findings, unrevoked }] of acted.entries()) {
          this.tally.acted(findings);
          if (unrevoked) unrevokedGroups.push(toAct[i]!.groupId);
        }
        if (unrevokedGroups.length > 0) {
          this.notReached.push({
            group_ids: unrevokedGroups,
            next_token: null,
            reason: 'violations found but not revoked: the sweep ran out of time',
          });
        }
        this.options.onProgress?.(this.tally.progress(this.region, this.pages));
        return this.stopped;
      });
  }

  /**
   * The prefix lists whose entries decide verdicts on this page, each read once per sweep. A
   * list that failed in a way a retry may fix is reported; its rules wait for the next sweep.
   */
  private async readPrefixLists(rules: readonly Rule[], notes: PageNotes): Promise<PrefixListLookup> {
    const lists = await this.prefixLists.read(listsToInspect(rules, this.ctx.policy));
    for (const [id, facts] of lists) {
      if (facts.state === 'unreadable' && facts.retryable) notes.errors.push(`reading prefix list ${id} failed: ${facts.reason}`);
    }
    return lists;
  }

  /** The group's rules but those whose prefix list could not be read for now (reported as not reached). */
  private withReadableLists(groupId: string, rules: readonly Rule[], lists: PrefixListLookup, notes: PageNotes): Rule[] {
    const waiting = (rule: Rule) => {
      if (rule.source.kind !== 'prefix_list') return false;
      const facts = lists.get(rule.source.prefixListId.toLowerCase());
      return facts?.state === 'unreadable' && facts.retryable;
    };
    const kept = rules.filter((rule) => !waiting(rule));
    if (kept.length < rules.length) {
      notes.notReached.push({
        group_ids: [groupId],
        next_token: null,
        reason: `${rules.length - kept.length} rule(s) reference a prefix list that could not be read`,
      });
    }
    return kept;
  }

  /**
   * The page's judgements with the exemptions the event path remembered (state table) applied.
   * When the table cannot be read, the groups that have violations are left alone this time and
   * reported as not reached: revoking on a guess could remove what a deployer made on purpose.
   */
  private async applyRememberedExemptions(judged: readonly GroupJudgements[], notes: PageNotes): Promise<GroupJudgements[]> {
    const { state } = this.ctx;
    const account = this.account;
    if (state === undefined || account === undefined) return [...judged];
    const ruleIds = judged.flatMap(({ judgements }) =>
      judgements.flatMap((j) => (j.verdict === 'violation' && j.rule.ruleId !== undefined ? [j.rule.ruleId] : [])),
    );
    if (ruleIds.length === 0) return [...judged];
    let records: ReadonlyMap<string, ExemptionRecord>;
    try {
      const found = await state.exemptionsOf(ruleIds.map((ruleId) => ({ account, region: this.region, ruleId })));
      records = new Map(found.map((record) => [record.ruleId, record]));
    } catch (error) {
      const withViolations = judged
        .filter(({ judgements }) => judgements.some((j) => j.verdict === 'violation'))
        .map(({ groupId }) => groupId);
      notes.errors.push(`reading remembered exemptions (${plural(ruleIds.length, 'rule')}) failed: ${messageOf(error)}`);
      notes.notReached.push({
        group_ids: withViolations,
        next_token: null,
        reason: `their remembered exemptions could not be read: ${messageOf(error)}`,
      });
      return judged.filter(({ groupId }) => !withViolations.includes(groupId));
    }
    const honoured: ExemptionRecord[] = [];
    const out = judged.map(({ groupId, judgements }) => {
      const applied = honourRemembered(judgements, records, this.ctx.policy, this.ctx.self);
      honoured.push(...applied.honoured);
      return { groupId, judgements: applied.judgements };
    });
    await this.keepFromExpiring(honoured);
    return out;
  }

  /** Writes honoured records again before their TTL runs out; a failure only costs a log line. */
  private async keepFromExpiring(honoured: readonly ExemptionRecord[]): Promise<void> {
    const due = refreshedRecords(honoured, this.ctx.now());
    if (due.length === 0 || this.ctx.state === undefined) return;
    try {
      await this.ctx.state.recordExemptions(due);
    } catch (error) {
      this.ctx.log({
        level: 'error',
        message: 'sg-sentry could not keep remembered exemptions',
        region: this.region,
        records: due.length,
        error: messageOf(error),
      });
    }
  }

  /**
   * One group's violations, ingress then egress, each batch one call. Once the time is up no
   * batch that would change EC2 is started: it is reported as failed, for the next sweep.
   */
  private async actOnGroup(groupId: string, judgements: readonly Judgement[]): Promise<{ findings: Finding[]; unrevoked: boolean }> {
    const { policy } = this.ctx;
    const findings: Finding[] = [];
    let unrevoked = false;
    for (const direction of ['ingress', 'egress'] as const) {
      const batch = judgements.filter((j) => j.rule.direction === direction && j.verdict !== 'allowed');
      if (batch.length === 0) continue;
      const mutates = policy.mode === 'enforce' && batch.some((j) => j.verdict === 'violation');
      let notAttempted: string | undefined;
      if (mutates && (this.stopped || this.outOfTime())) {
        this.stopped = true;
        unrevoked = true;
        notAttempted = `not revoked: the sweep ran out of time before the ${direction} batch of ${groupId}; the next sweep revokes it`;
      }
      // Every rule here was just listed by EC2, so its id is EC2's own.
      const acted = await act(batch, policy, this.ec2, {
        now: this.ctx.now(),
        revokeByRuleId: () => true,
        ...(notAttempted !== undefined ? { notAttempted } : {}),
      });
      findings.push(...acted.findings);
    }
    return { findings, unrevoked };
  }

  /**
   * Reads the tags of groups not seen before, when `exclude_tags` or the exception tag needs them,
   * ahead of the revokes waiting in the pool. Returns the groups whose tags could not be read:
   * their rules are left alone and reported as not reached.
   */
  private async loadGroupInfo(groupIds: readonly string[], notes: PageNotes): Promise<Set<string>> {
    const unknown = new Set<string>();
    if (!policyReadsTags(this.ctx.policy)) return unknown;
    const missing = groupIds.filter((id) => id !== '' && !this.groupInfo.has(id));
    const batches = chunks(missing, GROUP_BATCH_LIMIT);
    const described = await this.pool.map(batches, (batch) => settled(describeEachGroup(batch, this.ec2)), 'first');
    for (const [i, result] of described.entries()) {
      const batch = batches[i]!;
      if ('value' in result) {
        for (const [id, info] of result.value) this.groupInfo.set(id, info);
      } else {
        const { error } = result;
        notes.firstError ??= error;
        notes.errors.push(`DescribeSecurityGroups (${batch.length} group(s) from ${batch[0]}) failed: ${messageOf(error)}`);
        notes.notReached.push({
          group_ids: batch,
          next_token: null,
          reason: `their tags could not be read (exclude_tags, exception tag): ${messageOf(error)}`,
        });
        for (const id of batch) unknown.add(id);
      }
    }
    return unknown;
  }

  private report(request: SweepRequest): SweepReport {
    return this.tally.report(request, this.region, this.ctx.policy, {
      pages: this.pages,
      notReached: this.notReached,
      errors: this.errors,
    });
  }

  /** Sends the summary once per delivery (the schedule event's id, or the sweep job's message id). */
  private async notify(report: SweepReport): Promise<SweepReport> {
    if (this.ctx.notifier === undefined || !shouldNotifySweep(report, this.ctx.policy.notifyAllowed)) return report;
    const { duplicate } = await publishOnce(report.event_id, sweepNotificationOf(report), this.ctx, {
      event_id: report.event_id,
      region: report.region,
    });
    if (!duplicate) return report;
    this.ctx.log({ level: 'info', message: 'sg-sentry sweep duplicate', event_id: report.event_id, region: report.region, duplicate });
    return { ...report, duplicate };
  }
}
