import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type DescribeSecurityGroupRulesCommandInput,
} from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import type { EngineContext } from '../../function/core/ports';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import { parsePolicy } from '../../function/core/policy/policy';
import type { NotificationMessage } from '../../function/core/ports';
import type { SweepReport } from '../../function/core/report/report';
import { processSweep, type SweepOptions } from '../../function/core/sweep';
import { createHandler } from '../../function/handler';
import { answerDescribeGroups } from '../helpers/describe-groups-mock';
import type { FakeSecurityGroupRule } from '../helpers/fake-aws';
import { ACCOUNT, accountRules, groupId, isIngressViolation, paginate, REGION, sdkRule } from './account';
import { awsError } from '../helpers/aws-errors';

const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2025-06-01T00:00:00Z' };
/** Egress restricted to private space, so both directions have violations. */
const EGRESS_PRIVATE = { egress: { allow: [{ cidr: '10.0.0.0/8' }] } };
const EXCLUDED = [groupId(3), groupId(20)];

function setup(policyDocument: Record<string, unknown>, pages: readonly (readonly FakeSecurityGroupRule[])[]) {
  const client = new EC2Client({ region: REGION });
  const ec2 = mockClient(client);
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: DescribeSecurityGroupRulesCommandInput) => {
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', '')) - 1;
    const groups = input.Filters?.find((f) => f.Name === 'group-id')?.Values;
    const page = (pages[index] ?? []).filter((r) => groups === undefined || groups.includes(r.groupId));
    return { SecurityGroupRules: page.map(sdkRule), ...(index + 1 < pages.length ? { NextToken: `page-${index + 2}` } : {}) };
  });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
  answerDescribeGroups(ec2);
  const published: NotificationMessage[] = [];
  const logs: Record<string, unknown>[] = [];
  const regions: string[] = [];
  const adapter = new Ec2Adapter(client);
  const ctx: EngineContext = {
    policy: parsePolicy(policyDocument),
    portsFor: ({ region }) => {
      regions.push(region);
      return { ec2: adapter };
    },
    notifier: { publish: async (message) => void published.push(message) },
    log: (line) => logs.push({ ...line }),
    now: () => new Date('2025-06-01T00:00:01Z'),
  };
  return { ec2, ctx, published, logs, regions };
}

function revokedIds(calls: readonly { args: readonly [{ input: { SecurityGroupRuleIds?: string[] } }] }[]): string[] {
  return calls.flatMap((c) => c.args[0].input.SecurityGroupRuleIds ?? []);
}

describe('sweep', () => {
  const rules = accountRules();
  const pages = paginate(rules, [400, 400]);

  it('revokes exactly the violating rules of 1,000 across 3 pages and 40 groups, one call per group and direction', async () => {
    // Prepare
    const { ec2, ctx, published, regions } = setup({ ...EGRESS_PRIVATE, exclude_groups: EXCLUDED }, pages);
    const watched = rules.filter((r) => !EXCLUDED.includes(r.groupId));

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(pages.map((p) => p.length)).to.deep.equal([400, 400, 200]);
    expect(regions).to.deep.equal([REGION]);
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand).map((c) => c.args[0].input)).to.deep.equal([
      { MaxResults: 1000 },
      { NextToken: 'page-2', MaxResults: 1000 },
      { NextToken: 'page-3', MaxResults: 1000 },
    ]);
    expect(revokedIds(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).sort()).to.deep.equal(
      watched
        .filter(isIngressViolation)
        .map((r) => r.securityGroupRuleId)
        .sort(),
    );
    expect(revokedIds(ec2.commandCalls(RevokeSecurityGroupEgressCommand)).sort()).to.deep.equal(
      watched
        .filter((r) => r.isEgress)
        .map((r) => r.securityGroupRuleId)
        .sort(),
    );
    const ingressGroups = ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input.GroupId);
    const egressGroups = ec2.commandCalls(RevokeSecurityGroupEgressCommand).map((c) => c.args[0].input.GroupId);
    expect(ingressGroups)
      .to.have.length(38)
      .and.to.deep.equal([...new Set(ingressGroups)]);
    expect(egressGroups)
      .to.have.length(38)
      .and.to.deep.equal([...new Set(egressGroups)]);
    expect([...ingressGroups, ...egressGroups]).to.not.include.members(EXCLUDED);
    expect(report.counts).to.deep.equal({
      groups: 40,
      rules: 1000,
      allowed: 600,
      violations: 380,
      exempt: 20,
      revoked: 380,
      restricted: 0,
      already_removed: 0,
      failed: 0,
      reported: 0,
      cannot_evaluate: 0,
    });
    expect(report.findings.filter((f) => f.verdict === 'exempt').map((f) => f.group_id)).to.satisfy((ids: string[]) =>
      ids.every((id) => EXCLUDED.includes(id)),
    );
    expect(report.findings.every((f) => f.group_id !== undefined && f.verdict !== 'allowed')).to.equal(true);
    expect(report).to.include({ kind: 'sweep', region: REGION, account: ACCOUNT, pages: 3, incomplete: false, verdict: 'violation' });
    expect(published).to.have.length(1);
  });

  it('changes nothing in report mode and still sends one summary', async () => {
    const { ec2, ctx, published } = setup({ ...EGRESS_PRIVATE, mode: 'report' }, pages);

    const report = await processSweep(SWEEP, ctx);

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)).to.have.length(0);
    expect(report.counts).to.include({ violations: 400, reported: 400, revoked: 0 });
    expect(published).to.have.length(1);
    expect(published[0]?.subject).to.equal(`sg-sentry sweep: would revoke 400 rules (report mode) in ${REGION}, ${ACCOUNT}`);
  });

  it('restricts in a sweep too, with a description naming the sweep and the time', async () => {
    const oneGroup = accountRules().filter((r) => r.groupId === groupId(0));
    const { ec2, ctx } = setup({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }, [oneGroup]);
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });

    const report = await processSweep(SWEEP, ctx);

    const permissions = ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).flatMap((c) => c.args[0].input.IpPermissions ?? []);
    expect(permissions).to.have.length(5);
    expect(permissions[0]?.IpRanges).to.deep.equal([
      { CidrIp: '10.0.0.0/8', Description: 'sg-sentry: replaced 0.0.0.0/0 (by sg-sentry sweep, 2025-06-01T00:00:01Z)' },
    ]);
    expect(report.counts).to.include({ violations: 5, restricted: 5 });
  });

  it('sends nothing and revokes nothing when every rule is allowed', async () => {
    const { ec2, ctx, published, logs } = setup({}, [rules.filter((r) => !isIngressViolation(r))]);

    const report = await processSweep(SWEEP, ctx);

    expect(report.counts).to.include({ rules: 800, allowed: 800, violations: 0 });
    expect(report.findings).to.deep.equal([]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
    expect(published).to.deep.equal([]);
    expect(logs.filter((l) => l.message === 'sg-sentry sweep')).to.have.length(1);
  });

  it('filters the listing by group id, 200 ids a call, when the policy lists groups', async () => {
    const listed = Array.from({ length: 250 }, (_, g) => groupId(g));
    const { ec2, ctx } = setup({ groups: listed }, [rules]);

    const report = await processSweep(SWEEP, ctx);

    const filters = ec2.commandCalls(DescribeSecurityGroupRulesCommand).map((c) => c.args[0].input.Filters ?? []);
    expect(filters.map((f) => [f[0]?.Name, f[0]?.Values?.length])).to.deep.equal([
      ['group-id', 200],
      ['group-id', 50],
    ]);
    expect(report.counts.groups).to.equal(40);
  });

  it('leaves groups carrying an exclude_tags tag alone, reading tags once per page in one call', async () => {
    const { ec2, ctx } = setup({ exclude_tags: { 'sg-sentry': 'off' } }, pages);
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds: string[] }) => ({
      SecurityGroups: input.GroupIds.map((id) => ({
        GroupId: id,
        GroupName: `web-${id}`,
        Tags: id === groupId(5) ? [{ Key: 'sg-sentry', Value: 'off' }] : [],
      })),
    }));

    const report = await processSweep(SWEEP, ctx);

    const describeCalls = ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input.GroupIds?.length);
    expect(describeCalls).to.deep.equal([16, 16, 8]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input.GroupId))
      .to.have.length(39)
      .and.not.include(groupId(5));
    expect(report.findings.filter((f) => f.group_id === groupId(5)).map((f) => f.verdict)).to.deep.equal(Array(5).fill('exempt'));
    expect(report.findings.find((f) => f.group_id === groupId(5))?.reason).to.match(/^group excluded by tag sg-sentry=off; /);
  });

  it('reports a page that keeps failing after the SDK retries and keeps what the earlier pages did', async () => {
    // Prepare
    const { ec2, ctx, published } = setup({}, pages);
    ec2.on(DescribeSecurityGroupRulesCommand, { NextToken: 'page-2' }).rejects(awsError('RequestLimitExceeded', 'client', 503));

    // Act
    const report = await processSweep(SWEEP, ctx);

    // Assess
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)).to.have.length(2);
    expect(report.counts).to.include({ rules: 400, revoked: 80 });
    expect(report.incomplete).to.equal(true);
    expect(report.not_reached).to.deep.equal([
      { group_ids: null, next_token: 'page-2', reason: 'listing failed: RequestLimitExceeded: RequestLimitExceeded happened' },
    ]);
    expect(report.errors).to.have.length(1);
    expect(report.errors[0]).to.contain('RequestLimitExceeded');
    expect(published).to.have.length(1);
    expect(published[0]?.subject).to.contain('(incomplete)');
  });

  it('throws when not even the first page could be read, so the invocation fails visibly', async () => {
    const retryable = setup({}, pages);
    retryable.ec2.on(DescribeSecurityGroupRulesCommand).rejects(awsError('InternalError', 'server', 500));
    const denied = setup({}, pages);
    denied.ec2.on(DescribeSecurityGroupRulesCommand).rejects(awsError('UnauthorizedOperation', 'client', 403));

    const first = await processSweep(SWEEP, retryable.ctx).catch((e: unknown) => e);
    const second = await processSweep(SWEEP, denied.ctx).catch((e: unknown) => e);

    expect(first).to.be.instanceOf(RetryableRemediationError);
    expect(second).to.be.instanceOf(Ec2CallError).and.include({ code: 'UnauthorizedOperation', retryable: false });
    expect(retryable.published).to.deep.equal([]);
  });

  it('stops before the time limit, reporting the violations left and the pages not read', async () => {
    // Prepare: each revoke costs 1 s of a 30 s budget with a 10 s reserve, so 20 batches fit.
    const { ec2, ctx, published } = setup(EGRESS_PRIVATE, pages);
    let remaining = 30_000;
    ec2.on(RevokeSecurityGroupIngressCommand).callsFake(() => ((remaining -= 1000), { Return: true }));
    ec2.on(RevokeSecurityGroupEgressCommand).callsFake(() => ((remaining -= 1000), { Return: true }));
    const options: SweepOptions = { remainingMs: () => remaining, reserveMs: 10_000 };

    // Act
    const report = await processSweep(SWEEP, ctx, options);

    // Assess
    const calls = ec2.commandCalls(RevokeSecurityGroupIngressCommand).length + ec2.commandCalls(RevokeSecurityGroupEgressCommand).length;
    expect(calls).to.equal(20);
    // The second page was asked for while the first was acted on, and is dropped unread.
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)).to.have.length(2);
    expect(report.counts).to.include({ rules: 400, violations: 160, revoked: 100, failed: 60 });
    expect(report.incomplete).to.equal(true);
    expect(report.not_reached).to.deep.include({ group_ids: null, next_token: 'page-2', reason: 'the sweep ran out of time' });
    const unrevoked = report.not_reached.find((r) => r.next_token === null);
    expect(unrevoked?.group_ids).to.deep.equal([10, 11, 12, 13, 14, 15].map(groupId));
    expect(report.findings.filter((f) => f.action === 'failed')[0]?.error).to.match(/ran out of time/);
    expect(published).to.have.length(1);
  });

  it('does not start when the time left is already inside the reserve', async () => {
    const { ec2, ctx } = setup({}, pages);

    const report = await processSweep(SWEEP, ctx, { remainingMs: () => 5_000, reserveMs: 10_000 });

    expect(ec2.calls()).to.have.length(0);
    expect(report.not_reached).to.deep.equal([{ group_ids: null, next_token: null, reason: 'the sweep ran out of time' }]);
  });

  it("runs from the handler on a Scheduled Event, with the Lambda context's remaining time", async () => {
    // Prepare: the real Scheduled Event shape EventBridge delivers.
    const { ctx } = setup({}, pages);
    const event = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: '2025-06-01T00:00:00Z',
      region: REGION,
      resources: ['arn:aws:events:us-east-1:776520358045:rule/sg-sentry-sweep'],
      detail: {},
    };
    let asked = 0;

    // Act
    const report = (await createHandler(ctx)(event, { getRemainingTimeInMillis: () => (asked++, 60_000) })) as SweepReport;

    // Assess
    expect(report).to.include({ kind: 'sweep', event_id: event.id, region: REGION });
    expect(asked).to.be.greaterThan(0);
  });

  it('answers a Scheduled Event without a region with a validation report, not a throw', async () => {
    const { ctx, logs } = setup({}, pages);
    const event = { version: '0', id: 'e-1', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

    const report = await createHandler(ctx)(event, {});

    expect(report).to.include({ status: 'invalid' });
    expect(logs[0]).to.include({ message: 'sg-sentry validation error' });
  });
});
