/**
 * The sweep over several accounts and regions, at the ports: targets from the settings (or the
 * organization), the dispatch to a recording queue, the queue's consumer, and the run in turn
 * without a queue. Each account and region is an in-memory EC2 holding the world-open SSH rule
 * of a real console event (authorize-ingress-ssh-world-rule-ids-console-assumedrole).
 */
import { expect } from 'chai';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import { parsePolicy } from '../../function/core/policy/policy';
import type { EngineContext, OrganizationPort, SweepQueuePort, SweepTargetSettings, Target } from '../../function/core/ports';
import type { SweepReport } from '../../function/core/report/report';
import type { SweepDispatchReport, SweepRunReport } from '../../function/core/report/sweep-run-report';
import { processScheduledSweep, processSweepJobs, sweepTargets } from '../../function/core/sweep-fan-out';
import { fixture } from '../helpers/fixtures';
import { InMemoryEc2, throttled } from '../helpers/in-memory-ec2';
import { RecordingNotifier } from '../helpers/recording-notifier';

const RECORD = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
const GROUP = RECORD.requestParameters.groupId as string;
const OWN = '111122223333';
const SCHEDULE = { eventId: 'schedule-1', account: OWN, region: 'eu-west-1', time: '2026-11-27T10:00:00Z' };

/** An account-region holding the sample's world-open SSH rule and a private one (only the private one when clean). */
function exposed(clean = false): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, groupName: 'web' });
  if (!clean)
    ec2.addRule({
      groupId: GROUP,
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
  ec2.addRule({
    groupId: GROUP,
    direction: 'ingress',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    source: { kind: 'cidr', cidr: '10.1.0.0/16', family: 'ipv4' },
  });
  return ec2;
}

class RecordingQueue implements SweepQueuePort {
  readonly sent: Target[] = [];
  constructor(private readonly refuse: (target: Target) => string | undefined = () => undefined) {}
  async dispatch(targets: readonly Target[]) {
    const failed = targets.flatMap((target) => {
      const error = this.refuse(target);
      return error === undefined ? [] : [{ target, error }];
    });
    this.sent.push(...targets.filter((t) => this.refuse(t) === undefined));
    return { failed };
  }
}

/** A context whose accounts and regions are in-memory EC2s, created on first use. */
function organization(extra: Partial<EngineContext> & { unreachable?: string[]; clean?: string[] } = {}) {
  const { unreachable = [], clean = [], ...rest } = extra;
  const ec2s = new Map<string, InMemoryEc2>();
  const ec2Of = (account: string, region: string) => {
    const key = `${account}/${region}`;
    if (!ec2s.has(key)) ec2s.set(key, exposed(clean.includes(key)));
    return ec2s.get(key)!;
  };
  const logs: Record<string, unknown>[] = [];
  const notifier = new RecordingNotifier();
  const ctx: EngineContext = {
    policy: parsePolicy({}),
    portsFor: ({ account = OWN, region }) => (unreachable.includes(account) ? undefined : { ec2: ec2Of(account, region) }),
    notifier,
    log: (line) => logs.push({ ...line }),
    now: () => new Date('2026-11-27T10:00:01Z'),
    ...rest,
  };
  return { ctx, ec2Of, logs, notifier };
}

const worldOpen = (ec2: InMemoryEc2) => ec2.rules().filter((r) => r.source.kind === 'cidr' && r.source.cidr === '0.0.0.0/0');
const job = (account: string, region: string, messageId = `m-${account}-${region}`) => ({
  messageId,
  body: JSON.stringify({ account, region }),
});

describe('sweep over accounts and regions, at the ports', () => {
  it('targets the configured accounts times regions, each once', async () => {
    // Prepare
    const settings: SweepTargetSettings = {
      accounts: ['444455556666', '777788889999', '444455556666'],
      regions: ['eu-west-1', 'us-east-1'],
    };
    const { ctx } = organization({ sweepTargets: settings });

    // Act
    const targets = await sweepTargets(SCHEDULE, ctx);

    // Assess
    expect(targets.map((t) => `${t.account}/${t.region}`)).to.deep.equal([
      '444455556666/eu-west-1',
      '444455556666/us-east-1',
      '777788889999/eu-west-1',
      '777788889999/us-east-1',
    ]);
  });

  it("says on its own error line that the organization's accounts could not be listed, then fails the invocation", async () => {
    // Prepare
    const denied: OrganizationPort = {
      activeAccounts: async () => {
        throw new Error("AccessDeniedException: You don't have permissions to access this resource.");
      },
    };
    const { ctx, logs } = organization({ sweepTargets: { accounts: 'organization' }, organization: denied });

    // Act
    const outcome = await sweepTargets(SCHEDULE, ctx).then(
      () => 'returned',
      (error: unknown) => error,
    );

    // Assess
    expect(outcome).to.be.instanceOf(Error);
    expect(logs.map((l) => [l.level, l.message, l.error])).to.deep.equal([
      [
        'error',
        "sg-sentry sweep: the organization's accounts could not be listed; nothing was swept",
        "AccessDeniedException: You don't have permissions to access this resource.",
      ],
    ]);
  });

  it("targets every ACTIVE account the organization lists, in the schedule's region when no regions are set", async () => {
    // Prepare
    const listed: OrganizationPort = { activeAccounts: async () => [OWN, '444455556666'] };
    const { ctx } = organization({ sweepTargets: { accounts: 'organization' }, organization: listed });

    // Act
    const targets = await sweepTargets(SCHEDULE, ctx);

    // Assess
    expect(targets).to.deep.equal([
      { account: OWN, region: 'eu-west-1' },
      { account: '444455556666', region: 'eu-west-1' },
    ]);
  });

  it('with a queue, only dispatches: one job per target, nothing swept, "dispatched" with the count', async () => {
    // Prepare
    const queue = new RecordingQueue();
    const { ctx, ec2Of, notifier } = organization({
      sweepTargets: { accounts: ['444455556666', '777788889999'], regions: ['eu-west-1', 'us-east-1'] },
      sweepQueue: queue,
    });

    // Act
    const report = (await processScheduledSweep(SCHEDULE, ctx)) as SweepDispatchReport;

    // Assess
    expect(report).to.include({ status: 'dispatched', targets: 4 });
    expect(queue.sent).to.have.lengthOf(4);
    expect(ec2Of('444455556666', 'eu-west-1').calls).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('throws, after logging, when a job could not be sent, so that the dispatch runs again', async () => {
    // Prepare
    const queue = new RecordingQueue((t) => (t.region === 'us-east-1' ? 'InternalError: try again' : undefined));
    const { ctx, logs } = organization({
      sweepTargets: { accounts: ['444455556666'], regions: ['eu-west-1', 'us-east-1'] },
      sweepQueue: queue,
    });

    // Act
    const thrown = await processScheduledSweep(SCHEDULE, ctx).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).to.be.instanceOf(RetryableRemediationError);
    expect(logs[0]).to.deep.include({
      level: 'error',
      message: 'sg-sentry sweep dispatched',
      targets: 1,
      failed: [{ account: '444455556666', region: 'us-east-1', error: 'InternalError: try again' }],
    });
  });

  it("as the queue's consumer, sweeps each record's account and region and reports no failure", async () => {
    // Prepare
    const { ctx, ec2Of, notifier } = organization();
    const records = [
      job('444455556666', 'eu-west-1'),
      job('444455556666', 'us-east-1'),
      job('777788889999', 'eu-west-1'),
      job('777788889999', 'us-east-1'),
    ];

    // Act
    const result = await processSweepJobs(records, ctx);

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [] });
    for (const key of ['444455556666/eu-west-1', '444455556666/us-east-1', '777788889999/eu-west-1', '777788889999/us-east-1']) {
      const [account, region] = key.split('/') as [string, string];
      expect(worldOpen(ec2Of(account, region)), key).to.deep.equal([]);
      expect(ec2Of(account, region).rules(), key).to.have.lengthOf(1);
    }
    expect(notifier.published).to.have.lengthOf(4);
  });

  it('sends a summary for each target that found something, naming its account and region, and none for a clean target', async () => {
    // Prepare
    const { ctx, notifier } = organization({ clean: ['777788889999/eu-west-1'] });
    const records = [job('444455556666', 'us-east-1'), job('777788889999', 'eu-west-1')];

    // Act
    const result = await processSweepJobs(records, ctx);

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [] });
    expect(notifier.published.map((m) => m.subject)).to.deep.equal(['sg-sentry sweep: revoked 1 rule in us-east-1, 444455556666']);
  });

  it('reports a malformed record and does not retry it; the other records are swept', async () => {
    // Prepare
    const { ctx, ec2Of, logs } = organization();
    const records = [
      { messageId: 'bad-1', body: '{"account":"4444","region":"eu-west-1"}' },
      { messageId: 'bad-2', body: 'not json' },
      job('444455556666', 'eu-west-1'),
    ];

    // Act
    const result = await processSweepJobs(records, ctx);

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [] });
    expect(worldOpen(ec2Of('444455556666', 'eu-west-1'))).to.deep.equal([]);
    const invalid = logs.filter((l) => l.message === 'sg-sentry sweep job invalid');
    expect(invalid.map((l) => [l.level, l.message_id])).to.deep.equal([
      ['error', 'bad-1'],
      ['error', 'bad-2'],
    ]);
    expect(invalid[0]!.problems).to.deep.equal(['body.account: must be a 12-digit account id']);
  });

  it('returns for retry only the record whose sweep failed retryably, not one that failed for good', async () => {
    // Prepare
    const { ctx, ec2Of } = organization({ unreachable: ['999999999999'] });
    ec2Of('444455556666', 'us-east-1').failOn('describeRules', throttled());
    const records = [job('444455556666', 'eu-west-1'), job('444455556666', 'us-east-1'), job('999999999999', 'eu-west-1')];

    // Act
    const result = await processSweepJobs(records, ctx);

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-444455556666-us-east-1' }] });
    expect(worldOpen(ec2Of('444455556666', 'eu-west-1'))).to.deep.equal([]);
  });

  it('notifies a target whose rules the member role may not read, and does not retry it', async () => {
    // Prepare
    const { ctx, ec2Of, notifier } = organization();
    ec2Of('444455556666', 'eu-west-1').failOn('describeRules', new Ec2CallError('AccessDenied', 'assuming the member role failed', false));

    // Act
    const result = await processSweepJobs([job('444455556666', 'eu-west-1')], ctx);

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [] });
    expect(notifier.published).to.have.lengthOf(1);
    expect(notifier.published[0]!.email).to.contain('AccessDenied');
  });

  it('returns the records not started before the time ran out, for a later invocation', async () => {
    // Prepare
    let remaining = 60_000;
    const { ctx, ec2Of } = organization();
    ec2Of('444455556666', 'eu-west-1').onCall('revokeRuleIds', () => {
      remaining = 5_000;
    });
    const records = [job('444455556666', 'eu-west-1'), job('444455556666', 'us-east-1')];

    // Act
    const result = await processSweepJobs(records, ctx, { remainingMs: () => remaining });

    // Assess
    expect(result).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-444455556666-us-east-1' }] });
    expect(ec2Of('444455556666', 'us-east-1').calls).to.deep.equal([]);
  });

  it('without a queue, sweeps the targets in turn and names those the time did not reach', async () => {
    // Prepare
    let remaining = 60_000;
    const { ctx, ec2Of } = organization({ sweepTargets: { accounts: [OWN, '444455556666'], regions: ['eu-west-1'] } });
    ec2Of(OWN, 'eu-west-1').onCall('revokeRuleIds', () => {
      remaining = 5_000;
    });

    // Act
    const report = (await processScheduledSweep(SCHEDULE, ctx, { remainingMs: () => remaining })) as SweepRunReport;

    // Assess
    expect(report).to.include({ kind: 'sweep-run', targets: 2 });
    expect(report.swept.map((s) => [s.account, s.counts.revoked])).to.deep.equal([[OWN, 1]]);
    expect(report.not_reached).to.deep.equal([
      { account: '444455556666', region: 'eu-west-1', reason: 'the sweep ran out of time before this target' },
    ]);
    expect(worldOpen(ec2Of('444455556666', 'eu-west-1'))).to.have.lengthOf(1);
  });

  it("without settings, sweeps the schedule's own account and region and answers its report", async () => {
    // Prepare
    const { ctx, ec2Of } = organization();

    // Act
    const report = (await processScheduledSweep(SCHEDULE, ctx)) as SweepReport;

    // Assess
    expect(report).to.include({ kind: 'sweep', account: OWN, region: 'eu-west-1' });
    expect(worldOpen(ec2Of(OWN, 'eu-west-1'))).to.deep.equal([]);
  });

  it('without a queue, throws after the run when a target failed retryably, and reports the others', async () => {
    // Prepare
    const { ctx, ec2Of, logs } = organization({ sweepTargets: { accounts: [OWN, '444455556666'], regions: ['eu-west-1'] } });
    ec2Of(OWN, 'eu-west-1').failOn('describeRules', throttled());

    // Act
    const thrown = await processScheduledSweep(SCHEDULE, ctx).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).to.be.instanceOf(RetryableRemediationError);
    expect(worldOpen(ec2Of('444455556666', 'eu-west-1'))).to.deep.equal([]);
    const run = logs.find((l) => l.message === 'sg-sentry sweep run')!;
    expect((run.failed as Array<{ account: string; retryable: boolean }>).map((f) => [f.account, f.retryable])).to.deep.equal([
      [OWN, true],
    ]);
  });
});
