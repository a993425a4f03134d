import { expect } from 'chai';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2ClientConfig, Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { parsePolicy } from '../../function/core/policy/policy';
import type { Ec2Port, EngineContext } from '../../function/core/ports';
import { processSweep, SWEEP_CONCURRENCY } from '../../function/core/sweep';
import { ec2Error, FakeAws, securityGroupRulesResponder } from '../helpers/fake-aws';
import type { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { withOwnSend } from '../helpers/own-send';
import { ACCOUNT, accountRules, inMemoryAccount, isIngressViolation, paginate, REGION } from './account';

const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2025-06-01T00:00:00Z' };
/** Egress restricted to private space, so both directions have violations. */
const EGRESS_PRIVATE = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };

/** The in-memory EC2 behind calls that each take a few milliseconds, counting how many are in flight. */
function slowEc2(ec2: InMemoryEc2, delayMs = 5): { port: Ec2Port; maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  const slow =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return await call(...args);
      } finally {
        inFlight -= 1;
      }
    };
  const port: Ec2Port = {
    revokeRuleIds: slow((r) => ec2.revokeRuleIds(r)),
    revokePermissions: slow((r) => ec2.revokePermissions(r)),
    authorizePermissions: slow((r) => ec2.authorizePermissions(r)),
    describeRules: slow((r) => ec2.describeRules(r)),
    describeGroups: slow((ids) => ec2.describeGroups(ids)),
    deleteTag: slow((r) => ec2.deleteTag(r)),
    describePrefixLists: slow((ids) => ec2.describePrefixLists(ids)),
    prefixListEntries: slow((r) => ec2.prefixListEntries(r)),
    removePrefixListEntries: slow((r) => ec2.removePrefixListEntries(r)),
  };
  return { port, maxInFlight: () => max };
}

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
    const client = withOwnSend(new EC2Client({ ...ec2ClientConfig(REGION), endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }));
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
