import { expect } from 'chai';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { ec2ClientConfig } from '../../function/adapters/ec2-client-config';
import { parsePolicy } from '../../function/core/policy/policy';
import type { Ec2Port, EngineContext } from '../../function/core/ports';
import { processSweep, SWEEP_CONCURRENCY } from '../../function/core/sweep';
import { ec2Error, FakeAws, securityGroupRulesResponder } from '../helpers/fake-aws';
import { throttled, type InMemoryEc2 } from '../helpers/in-memory-ec2';
import { withOwnSend } from '../helpers/own-send';
import { ACCOUNT, accountRules, groupId, inMemoryAccount, isIngressViolation, paginate, REGION } from './account';

const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2025-06-01T00:00:00Z' };
/** Egress restricted to private space, so both directions have violations. */
const EGRESS_PRIVATE = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };

/** One call of the slow EC2 starting or ending, with the groups it names. */
interface CallEvent {
  readonly at: 'start' | 'end';
  readonly method: keyof Ec2Port;
  readonly groups: readonly string[];
}

function groupsOf(request: unknown): string[] {
  if (Array.isArray(request)) return request.filter((id): id is string => typeof id === 'string');
  const { groupId: id } = (request ?? {}) as { groupId?: unknown };
  return typeof id === 'string' ? [id] : [];
}

/** The in-memory EC2 behind calls that each take a few milliseconds, counting how many are in flight and logging when each starts and ends. */
function slowEc2(ec2: InMemoryEc2, delayMs = 5): { port: Ec2Port; maxInFlight: () => number; events: CallEvent[] } {
  let inFlight = 0;
  let max = 0;
  const events: CallEvent[] = [];
  const slow =
    <A extends [unknown, ...unknown[]], R>(method: keyof Ec2Port, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      events.push({ at: 'start', method, groups: groupsOf(args[0]) });
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return await call(...args);
      } finally {
        inFlight -= 1;
        events.push({ at: 'end', method, groups: groupsOf(args[0]) });
      }
    };
  const port: Ec2Port = {
    revokeRuleIds: slow('revokeRuleIds', (r) => ec2.revokeRuleIds(r)),
    revokePermissions: slow('revokePermissions', (r) => ec2.revokePermissions(r)),
    authorizePermissions: slow('authorizePermissions', (r) => ec2.authorizePermissions(r)),
    describeRules: slow('describeRules', (r) => ec2.describeRules(r)),
    describeGroups: slow('describeGroups', (ids) => ec2.describeGroups(ids)),
    describeGroupByName: slow('describeGroupByName', (name) => ec2.describeGroupByName(name)),
    deleteTag: slow('deleteTag', (r) => ec2.deleteTag(r)),
    describePrefixLists: slow('describePrefixLists', (ids) => ec2.describePrefixLists(ids)),
    prefixListEntries: slow('prefixListEntries', (r) => ec2.prefixListEntries(r)),
    removePrefixListEntries: slow('removePrefixListEntries', (r) => ec2.removePrefixListEntries(r)),
  };
  return { port, maxInFlight: () => max, events };
}

/** Where in the log the first (or last) event matching `match` is; fails when there is none. */
function indexOf(events: readonly CallEvent[], match: (event: CallEvent) => boolean, last = false): number {
  const matching = events.flatMap((event, i) => (match(event) ? [i] : []));
  const index = (last ? matching.at(-1) : matching[0]) ?? -1;
  if (index < 0) throw new Error('no such call in the log');
  return index;
}

/** Pages of 400 rules hold groups 0-15, 16-31 and 32-39. */
const PAGE_1_GROUPS = Array.from({ length: 16 }, (_, g) => groupId(g));
const PAGE_2_GROUPS = Array.from({ length: 16 }, (_, g) => groupId(16 + g));

function contextFor(policy: Record<string, unknown>, ec2: Ec2Port): EngineContext {
  return { policy: parsePolicy(policy), portsFor: () => ({ ec2 }), log: () => undefined, now: () => new Date('2025-06-01T00:00:01Z') };
}

describe('sweep concurrency', () => {
  it('keeps several EC2 calls in flight, never more than its pool, and still revokes exactly the violations', async () => {
    // Prepare: 40 groups, each with an ingress and an egress batch to revoke.
    const ec2 = inMemoryAccount();
    const { port, maxInFlight } = slowEc2(ec2);

    // Act
    const report = await processSweep(SWEEP, contextFor(EGRESS_PRIVATE, port), { pageSize: 400 });

    // Assess
    expect(maxInFlight()).to.be.greaterThan(1);
    expect(maxInFlight()).to.be.at.most(SWEEP_CONCURRENCY);
    expect(report.counts).to.include({ rules: 1000, violations: 400, revoked: 400, failed: 0 });
    expect(ec2.rules()).to.have.length(600);
  });

  it('keeps to the concurrency it is given, one call at a time when told so', async () => {
    // Prepare
    const ec2 = inMemoryAccount();
    const { port, maxInFlight } = slowEc2(ec2, 1);

    // Act
    const report = await processSweep(SWEEP, contextFor(EGRESS_PRIVATE, port), { pageSize: 400, concurrency: 1 });

    // Assess
    expect(maxInFlight()).to.equal(1);
    expect(report.counts).to.include({ revoked: 400, failed: 0 });
  });
});

describe('sweep: the next page read while the previous page is acted on', () => {
  it("reads the next page and its groups' tags while the previous page's revokes are in flight", async () => {
    // Prepare: the default policy reads tags (the exception tag) for every group with a violation.
    const ec2 = inMemoryAccount();
    const { port, events } = slowEc2(ec2);

    // Act
    const report = await processSweep(SWEEP, contextFor({}, port), { pageSize: 400 });

    // Assess
    const lastPage1Revoke = indexOf(
      events,
      (e) => e.at === 'end' && e.method === 'revokeRuleIds' && PAGE_1_GROUPS.includes(e.groups[0]!),
      true,
    );
    const page2TagRead = indexOf(events, (e) => e.at === 'start' && e.method === 'describeGroups' && e.groups.includes(groupId(16)));
    const firstPage2Revoke = indexOf(
      events,
      (e) => e.at === 'start' && e.method === 'revokeRuleIds' && PAGE_2_GROUPS.includes(e.groups[0]!),
    );
    expect(page2TagRead, "page 2's tag read starts before page 1's last revoke ends").to.be.lessThan(lastPage1Revoke);
    expect(firstPage2Revoke, "page 2's revokes start after page 1's").to.be.greaterThan(lastPage1Revoke);
    expect(report.counts).to.include({ rules: 1000, violations: 200, revoked: 200, failed: 0 });
    expect(report.pages).to.equal(3);
    expect(ec2.rules()).to.have.length(800);
  });

  it('loses nothing when the tags of the page read ahead cannot be read: the pages around it are revoked, its groups reported', async () => {
    // Prepare: DescribeSecurityGroups keeps throttling for page 2's groups, after the SDK's retries.
    const ec2 = inMemoryAccount().failOn('describeGroups', throttled(), { when: (ids) => ids.includes(groupId(16)) });
    const { port } = slowEc2(ec2);

    // Act
    const report = await processSweep(SWEEP, contextFor({}, port), { pageSize: 400 });

    // Assess
    expect(report.counts).to.include({ violations: 120, revoked: 120, failed: 0 });
    expect(report.not_reached).to.deep.equal([
      {
        group_ids: PAGE_2_GROUPS,
        next_token: null,
        reason: 'their tags could not be read (exclude_tags, exception tag): RequestLimitExceeded: Request limit exceeded.',
      },
    ]);
    expect(report.errors).to.have.length(1);
    for (const id of PAGE_2_GROUPS) expect(ec2.rules(id), id).to.have.length(25);
    expect(ec2.rules()).to.have.length(1000 - 120);
  });

  it("counts nothing of the page read ahead and revokes none of its rules when the time runs out during the previous page's revokes", async () => {
    // Prepare: every revoke costs 1.5 s of a 30 s budget with a 10 s reserve, so the time runs
    // out during page 1's 16 revokes, after page 2 was listed and judged ahead.
    const ec2 = inMemoryAccount();
    const { port, events } = slowEc2(ec2);
    let remaining = 30_000;
    ec2.onCall('revokeRuleIds', () => (remaining -= 1500));

    // Act
    const report = await processSweep(SWEEP, contextFor({}, port), { pageSize: 400, remainingMs: () => remaining, reserveMs: 10_000 });

    // Assess
    expect(
      events.some((e) => e.at === 'start' && e.method === 'describeGroups' && e.groups.includes(groupId(16))),
      'page 2 was read ahead',
    ).to.equal(true);
    expect(report.counts).to.include({ rules: 400, violations: 80 });
    expect(report.counts.revoked + report.counts.failed).to.equal(80);
    expect(report.not_reached).to.deep.include({ group_ids: null, next_token: 'after-400', reason: 'the sweep ran out of time' });
    for (const id of PAGE_2_GROUPS) expect(ec2.rules(id), id).to.have.length(25);
    expect(report.pages).to.equal(1);
  });
});

describe('sweep under throttling (the SDK against a stub answering RequestLimitExceeded)', function () {
  this.timeout(60_000);
  const aws = new FakeAws();
  let endpoint: string;

  before(async () => {
    endpoint = await aws.start();
  });
  after(() => aws.stop());
  beforeEach(() => aws.reset());

  it('finishes with every violation revoked, nothing failed, when EC2 throttles the calls beyond its bucket', async () => {
    // Prepare: EC2's own scheme, a token bucket per account (here 3 calls, refilled at 20 a
    // second); a call that finds it empty gets HTTP 503 RequestLimitExceeded. The sweep's burst
    // of revokes (10 at once) empties it.
    const rules = accountRules();
    const listing = securityGroupRulesResponder(paginate(rules, [400, 400]));
    const bucket = { tokens: 3, capacity: 3, perSecond: 20, at: Date.now() };
    let throttledCalls = 0;
    aws.respond((call) => {
      const now = Date.now();
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.at) / 1000) * bucket.perSecond);
      bucket.at = now;
      if (bucket.tokens < 1) {
        throttledCalls += 1;
        return { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') };
      }
      bucket.tokens -= 1;
      // Anything but the listing gets the stub's own answer (groups exist, writes succeed).
      return listing(call);
    });
    const client = withOwnSend(
      new EC2Client({ ...ec2ClientConfig(REGION), endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }),
    );
    aws.latencyMs = 10;

    // Act
    const report = await processSweep(SWEEP, contextFor({}, new Ec2Adapter(client)));
    aws.latencyMs = 0;

    // Assess
    const violations = rules.filter(isIngressViolation).length;
    expect(throttledCalls, 'EC2 throttled some calls').to.be.greaterThan(0);
    expect(report.counts).to.include({ rules: rules.length, violations, revoked: violations, failed: 0 });
    expect(report.errors).to.deep.equal([]);
    expect(report.incomplete).to.equal(false);
    const revokedGroups = new Set(aws.calls.filter((c) => c.action === 'RevokeSecurityGroupIngress').map((c) => c.params.GroupId));
    expect(revokedGroups.size).to.equal(40);
  });
});
