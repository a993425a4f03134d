/**
 * The scheduled sweep over several accounts and regions. Its targets are the configured
 * accounts (or every ACTIVE account of the organization) times the configured regions; unset,
 * the schedule's own account and region. With a sweep queue the schedule only dispatches, one
 * message per target, and each message is swept by an invocation of its own (the queue's
 * consumer), so the work of one invocation is bounded by one target. Without one, the targets are
 * swept one after another within the invocation's time budget.
 */
import type { SweepJobRecord, SweepRequest } from './event/change';
import { SweepJobSchema } from './event/schemas/sweep-job.schema';
import { Ec2CallError, EventValidationError, messageOf, RetryableRemediationError } from './errors';
import type { EngineContext, Target } from './ports';
import type { SweepReport } from './report/report';
import type { SweepDispatchReport, SweepRunReport, TargetFailure, TargetReport } from './report/sweep-run-report';
import { processSweep, sweepDeadline, type SweepOptions } from './sweep';

/** What Lambda's SQS event source mapping reads: only these records are retried. */
export interface SweepJobsResult {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

/** Whether a retry could fix a failed sweep: anything but a permanent EC2 (or STS) refusal. */
function retryable(error: unknown): boolean {
  return !(error instanceof Ec2CallError) || error.retryable;
}

/** Accounts × regions, each once, in the order given. */
export async function sweepTargets(request: SweepRequest, ctx: EngineContext): Promise<Array<Target & TargetReport>> {
  const ownAccount = request.account;
  const ownRegion = request.region;
  const settings = ctx.sweepTargets ?? {};
  let accounts: readonly string[];
  if (settings.accounts === 'organization') {
    if (ctx.organization === undefined) throw new Error('sweep targets name the organization, but no Organizations port is configured');
    try {
      accounts = await ctx.organization.activeAccounts();
    } catch (error) {
      // Nothing is swept this time: say so on its own line, since the invocation's failure alone does not say why.
      ctx.log({
        level: 'error',
        message: "sg-sentry sweep: the organization's accounts could not be listed; nothing was swept",
        event_id: request.eventId,
        error: messageOf(error),
      });
      throw error;
    }
  } else {
    accounts = settings.accounts ?? (ownAccount !== undefined ? [ownAccount] : []);
  }
  const regions = settings.regions ?? (ownRegion !== undefined ? [ownRegion] : []);
  const problems = [
    ...(accounts.length === 0 ? ['account: the scheduled event names no account and no sweep accounts are configured'] : []),
    ...(regions.length === 0 ? ['region: the scheduled event names no region to sweep'] : []),
  ];
  if (problems.length > 0) throw new EventValidationError(problems);
  const seen = new Set<string>();
  const targets: Array<Target & TargetReport> = [];
  for (const account of accounts) {
    for (const region of regions) {
      const key = `${account}/${region}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ account, region });
    }
  }
  return targets;
}

/**
 * The schedule's work: dispatch (a sweep queue is configured), or sweep the targets in turn. A
 * single target, the default, is swept as before and answers its own SweepReport. Throws
 * `RetryableRemediationError` when a retry could finish the job (a job not sent, a target that
 * failed retryably), after logging what was done.
 */
export async function processScheduledSweep(
  request: SweepRequest,
  ctx: EngineContext,
  options: SweepOptions = {},
): Promise<SweepReport | SweepRunReport | SweepDispatchReport> {
  const targets = await sweepTargets(request, ctx);
  if (ctx.sweepQueue !== undefined) return dispatch(request, targets, ctx);
  if (targets.length === 1 && ctx.sweepTargets === undefined) return processSweep(request, ctx, options);
  return sweepInTurn(request, targets, ctx, options);
}

async function dispatch(
  request: SweepRequest,
  targets: ReadonlyArray<Target & TargetReport>,
  ctx: EngineContext,
): Promise<SweepDispatchReport> {
  const { failed } = await ctx.sweepQueue!.dispatch(targets);
  const report: SweepDispatchReport = {
    status: 'dispatched',
    kind: 'sweep-dispatch',
    event_id: request.eventId ?? null,
    targets: targets.length - failed.length,
    failed: failed.map((f) => ({ account: f.target.account ?? '', region: f.target.region, error: f.error })),
  };
  ctx.log({ level: failed.length > 0 ? 'error' : 'info', message: 'sg-sentry sweep dispatched', ...report });
  if (failed.length > 0) {
    // The whole dispatch runs again: a target swept twice finds its violations already revoked.
    throw new RetryableRemediationError(`${failed.length} of ${targets.length} sweep job(s) could not be sent: ${failed[0]!.error}`);
  }
  return report;
}

async function sweepInTurn(
  request: SweepRequest,
  targets: ReadonlyArray<Target & TargetReport>,
  ctx: EngineContext,
  options: SweepOptions,
): Promise<SweepRunReport> {
  const outOfTime = sweepDeadline(options);
  const swept: Array<SweepRunReport['swept'][number]> = [];
  const notReached: Array<SweepRunReport['not_reached'][number]> = [];
  const failed: TargetFailure[] = [];
  for (const target of targets) {
    if (outOfTime?.()) {
      notReached.push({ account: target.account, region: target.region, reason: 'the sweep ran out of time before this target' });
      continue;
    }
    try {
      const report = await processSweep({ ...request, account: target.account, region: target.region }, ctx, options);
      swept.push({
        account: target.account,
        region: target.region,
        counts: report.counts,
        incomplete: report.incomplete,
        errors: report.errors.length,
      });
    } catch (error) {
      failed.push({ account: target.account, region: target.region, error: messageOf(error), retryable: retryable(error) });
    }
  }
  const report: SweepRunReport = {
    status: 'processed',
    kind: 'sweep-run',
    event_id: request.eventId ?? null,
    targets: targets.length,
    swept,
    not_reached: notReached,
    failed,
  };
  ctx.log({ level: failed.length > 0 ? 'error' : notReached.length > 0 ? 'warn' : 'info', message: 'sg-sentry sweep run', ...report });
  const again = failed.filter((f) => f.retryable);
  if (again.length > 0) {
    throw new RetryableRemediationError(`the sweep of ${again.length} target(s) failed, a retry may finish it: ${again[0]!.error}`);
  }
  return report;
}

/** The target one sweep-queue message names, or the problems with its body. */
function jobOf(record: SweepJobRecord): { job: TargetReport } | { problems: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    return { problems: [`body: not JSON (${messageOf(error)})`] };
  }
  const parsed = SweepJobSchema.safeParse(body);
  return parsed.success ? { job: parsed.data } : { problems: [...EventValidationError.fromZod(parsed.error, 'body').problems] };
}

/**
 * The sweep queue's consumer: sweeps the target of each record, one after another. Answers the
 * records a retry could finish (a sweep that failed retryably, or one not started before the
 * time ran out); a malformed body or a permanent failure is logged and not retried.
 */
export async function processSweepJobs(
  records: readonly SweepJobRecord[],
  ctx: EngineContext,
  options: SweepOptions = {},
): Promise<SweepJobsResult> {
  const outOfTime = sweepDeadline(options);
  const failures: string[] = [];
  for (const record of records) {
    if (outOfTime?.()) {
      failures.push(record.messageId);
      continue;
    }
    const read = jobOf(record);
    if ('problems' in read) {
      ctx.log({ level: 'error', message: 'sg-sentry sweep job invalid', message_id: record.messageId, problems: read.problems });
      continue;
    }
    const { account, region } = read.job;
    try {
      await processSweep({ eventId: record.messageId, account, region }, ctx, options);
    } catch (error) {
      const again = retryable(error);
      ctx.log({
        level: 'error',
        message: 'sg-sentry sweep job failed',
        message_id: record.messageId,
        account,
        region,
        error: messageOf(error),
        retried: again,
      });
      if (again) failures.push(record.messageId);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
