import { expect } from 'chai';
import { processSweep } from '../../function/core/sweep';
import { InMemoryEc2, notFound, throttled } from '../helpers/in-memory-ec2';
import { ACCOUNT, accountRules, groupId, inMemoryAccount as account, REGION } from '../sweep/account';
import { engineContext } from './support';

const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2025-06-01T00:00:00Z' };
/** Egress restricted to private space, so both directions have violations. */
const EGRESS_PRIVATE = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };

describe('sweep, at the ports', () => {
  it('reads every page and revokes exactly the violations, one call per group and direction', async () => {
    // Prepare
    const ec2 = account();
    const { ctx, notifier } = engineContext(EGRESS_PRIVATE, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx, { pageSize: 400 });

    // Assess
    expect(ec2.callsOf('describeRules')).to.deep.equal([
      { maxResults: 400 },
      { nextToken: 'after-400', maxResults: 400 },
      { nextToken: 'after-800', maxResults: 400 },
    ]);
    expect(
      ec2
        .rules()
        .filter((r) => r.direction === 'egress' || (r.source.kind === 'cidr' && r.source.cidr === '0.0.0.0/0' && r.fromPort !== 443)),
    ).to.deep.equal([]);
    expect(ec2.rules()).to.have.length(600);
    expect(ec2.callsOf('revokeRuleIds')).to.have.length(80);
    expect(report.counts).to.deep.equal({
      groups: 40,
      rules: 1000,
      allowed: 600,
      violations: 400,
      exempt: 0,
      revoked: 400,
      restricted: 0,
      already_removed: 0,
      failed: 0,
      reported: 0,
      cannot_evaluate: 0,
    });
    expect(notifier.published.map((m) => m.subject)).to.deep.equal([`sg-sentry sweep: revoked 400 rules in ${REGION}, ${ACCOUNT}`]);
  });

  it('names the group of each finding from the tags read it needed anyway, with no further call', async () => {
    // Prepare: one group, one world-open SSH rule, as EC2 lists it
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0aaa', groupName: 'web' });
    ec2.addRule({
      direction: 'ingress',
      groupId: 'sg-0aaa',
      ruleId: 'sgr-0aaa',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
    const { ctx } = engineContext({ mode: 'report' }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(report.findings.map((f) => [f.group_id, f.group_name])).to.deep.equal([['sg-0aaa', 'web']]);
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups']);
  });

  it("keeps its log line within CloudWatch's limit when the findings' descriptions are long, counting the findings left out", async () => {
    // Prepare: 400 world-open rules (tcp/1 to tcp/400), each with a description of 2,000 bytes
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0aaa', groupName: 'web' });
    for (let port = 1; port <= 400; port += 1) {
      ec2.addRule({
        direction: 'ingress',
        groupId: 'sg-0aaa',
        protocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: 'x'.repeat(2000),
        source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
      });
    }
    const { ctx, logs } = engineContext({ mode: 'report' }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    const line = logs.find((l) => l.message === 'sg-sentry sweep');
    expect(Buffer.byteLength(JSON.stringify(line))).to.be.at.most(256 * 1024 - 4096);
    const logged = (line?.findings ?? []) as unknown[];
    expect(logged.length).to.be.greaterThan(0);
    // tcp/443 from anywhere is allowed by the default policy: 399 violations.
    expect(report.findings).to.have.length(399);
    expect(logged.length + Number(line?.findings_truncated)).to.equal(399);
  });

  it('changes nothing in report mode', async () => {
    // Prepare
    const ec2 = account();
    const { ctx } = engineContext({ mode: 'report' }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups']);
    expect(ec2.rules()).to.have.length(1000);
    expect(report.counts).to.include({ violations: 200, reported: 200, revoked: 0 });
  });

  it('restricts with the sweep named as the author', async () => {
    // Prepare: one group's rules only.
    const ec2 = account(accountRules().filter((r) => r.groupId === groupId(0)));
    const { ctx } = engineContext({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    const added = ec2.rules().filter((r) => r.description?.startsWith('sg-sentry: replaced'));
    expect(added.map((r) => `${r.fromPort} ${r.source.kind === 'cidr' ? r.source.cidr : ''}`)).to.deep.equal([
      '1000 10.0.0.0/8',
      '1005 10.0.0.0/8',
      '1010 10.0.0.0/8',
      '1015 10.0.0.0/8',
      '1020 10.0.0.0/8',
    ]);
    expect(added[0]?.description).to.equal('sg-sentry: replaced 0.0.0.0/0 (by sg-sentry sweep, 2026-11-27T10:00:00Z)');
    expect(report.counts).to.include({ violations: 5, restricted: 5 });
  });

  it('stops before its time is up: the violations found but not revoked fail, the pages not read are named', async () => {
    // Prepare: every revoke costs 1 s of a 30 s budget with a 10 s reserve, so 20 revokes fit.
    const ec2 = account();
    let remaining = 30_000;
    ec2.onCall('revokeRuleIds', () => (remaining -= 1000));
    const { ctx, notifier } = engineContext(EGRESS_PRIVATE, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx, { pageSize: 400, remainingMs: () => remaining, reserveMs: 10_000 });

    // Assess
    expect(ec2.callsOf('revokeRuleIds')).to.have.length(20);
    // The second page was asked for while the first was acted on, and is dropped unread.
    expect(ec2.callsOf('describeRules')).to.deep.equal([{ maxResults: 400 }, { nextToken: 'after-400', maxResults: 400 }]);
    expect(report.counts).to.include({ rules: 400, violations: 160, revoked: 100, failed: 60 });
    expect(report.not_reached).to.deep.include({ group_ids: null, next_token: 'after-400', reason: 'the sweep ran out of time' });
    expect(report.not_reached.find((r) => r.next_token === null)?.group_ids).to.deep.equal([10, 11, 12, 13, 14, 15].map(groupId));
    expect(report.findings.find((f) => f.action === 'failed')?.error).to.match(
      /^not revoked: the sweep ran out of time before the (ingress|egress) batch of sg-/,
    );
    expect(notifier.published[0]?.subject).to.contain('(incomplete)');
  });

  it('keeps what the first page did when a later page cannot be listed, and names where it stopped', async () => {
    // Prepare
    const ec2 = account().failOn('describeRules', throttled(), { when: (request) => request.nextToken === 'after-400' });
    const { ctx } = engineContext({}, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx, { pageSize: 400 });

    // Assess
    expect(report.counts).to.include({ rules: 400, revoked: 80 });
    expect(report.not_reached).to.deep.equal([
      { group_ids: null, next_token: 'after-400', reason: 'listing failed: RequestLimitExceeded: Request limit exceeded.' },
    ]);
    expect(report.errors).to.have.length(1);
  });

  it('skips a group deleted between the listing and the tag read, and still judges the others of the page', async () => {
    // Prepare: DescribeSecurityGroups no longer knows group 3.
    const ec2 = account().failOn('describeGroups', notFound('InvalidGroup.NotFound', `The security group '${groupId(3)}' does not exist`), {
      when: (ids) => ids.includes(groupId(3)),
    });
    const { ctx } = engineContext({ exclude_tags: { 'sg-sentry': 'off' } }, ec2);

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    const described = ec2.callsOf('describeGroups') as string[][];
    expect(described[0]).to.have.length(40);
    expect(described.slice(1)).to.deep.equal(Array.from({ length: 40 }, (_, g) => [groupId(g)]));
    expect(report.counts.groups).to.equal(39);
    expect(report.findings.some((f) => f.group_id === groupId(3))).to.equal(false);
    expect(ec2.rules(groupId(3))).to.have.length(25);
    expect(ec2.rules(groupId(4))).to.have.length(20);
    expect(report.errors).to.deep.equal([]);
  });
});
