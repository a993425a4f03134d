/**
 * Time-boxed exceptions at the ports: the real console event that opens tcp/22 to the world,
 * the group tagged with the exception tag (one value per test), the engine's clock at NOW
 * (2026-11-27T10:00:00Z).
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { Ec2CallError } from '../../function/core/errors';
import { processSweep } from '../../function/core/sweep';
import { accountAfter, changeOf, engineContext } from './support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
// Real CloudFormation sample: a security-group reference, allowed by the default policy.
const ALLOWED = 'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1';
const TAG = 'sg-sentry:exempt-until';
const GROUP = 'sg-0632fa4ee8a8468a4';

/** The real event, and EC2 after it with the group tagged `value`. */
function tagged(value: string, policy: Record<string, unknown> = {}) {
  const change = changeOf(SSH_WORLD);
  const ec2 = accountAfter(change, { groupName: 'vendor-test', tags: { [TAG]: value } });
  return { change, ec2, ...engineContext(policy, ec2) };
}

describe('time-boxed exceptions, on the event path', () => {
  it('exempts the violation until the tagged UTC time, with one DescribeSecurityGroups and no revoke', async () => {
    // Prepare
    const { change, ctx, ec2, notifier } = tagged('2026-12-01T18:00:00Z');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([{ method: 'describeGroups', request: [GROUP] }]);
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(report.findings[0]?.reason).to.match(
      /^exception until 2026-12-01T18:00:00Z \(tag sg-sentry:exempt-until\); tcp\/22 from 0\.0\.0\.0\/0 /,
    );
    expect(notifier.published).to.have.length(1);
  });

  it('reads a date as the end of that day, UTC', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-11-27');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]?.reason).to.match(/^exception until 2026-11-27T23:59:59Z \(tag sg-sentry:exempt-until\); /);
  });

  it('revokes once the exception has expired, and says when it expired', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-11-26');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions']);
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(report.findings[0]?.reason).to.match(/; exception expired at 2026-11-26T23:59:59Z \(tag sg-sentry:exempt-until\)$/);
  });

  it('ignores an exception further ahead than max_exception_days and revokes, saying why', async () => {
    // Prepare: 10 days ahead, the policy allows 7
    const { change, ctx, ec2 } = tagged('2026-12-07T10:00:01Z', { max_exception_days: 7 });

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(report.findings[0]?.reason).to.match(
      /; tag sg-sentry:exempt-until ignored: 2026-12-07T10:00:01Z is more than max_exception_days \(7\) ahead$/,
    );
  });

  it('honours an exception that ends exactly max_exception_days ahead', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-12-04T10:00:00Z', { max_exception_days: 7 });

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'exempt' });
  });

  it('ignores a value that is not a UTC time or a date and revokes, quoting it', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('next friday');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]?.reason).to.match(
      /; tag sg-sentry:exempt-until ignored: "next friday" is neither a UTC time \(2026-12-31T18:00:00Z\) nor a date \(2026-12-31\)$/,
    );
  });

  it('ignores a time with a non-UTC offset, and says to write it in UTC', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-12-01T18:00:00+02:00');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]?.reason).to.contain('"2026-12-01T18:00:00+02:00" is not in UTC');
  });

  it('ignores a date that is not on the calendar', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-11-31');

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]?.reason).to.contain('"2026-11-31" is not a calendar date');
  });

  it('reads another key when exception_tag names it, and not the default one', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change, { tags: { [TAG]: '2026-12-01', 'change:until': '2026-12-01' } });
    const { ctx } = engineContext({ exception_tag: 'change:until' }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings[0]?.reason).to.match(/^exception until 2026-12-01T23:59:59Z \(tag change:until\); /);
  });

  it('makes no call at all for an event whose rules are all allowed', async () => {
    // Prepare
    const change = changeOf(ALLOWED);
    const ec2 = accountAfter(change, { tags: { [TAG]: '2026-12-01' } });
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.verdict).to.equal('allowed');
    expect(ec2.calls).to.deep.equal([]);
  });

  it('reads no tags with exception_tag null and no exclude_tags: the revoke is the only call', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-12-01', { exception_tag: null });

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['revokePermissions']);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
  });

  it('reads no tags for a change an exempt principal made: the principal already exempts it', async () => {
    // Prepare
    const { change, ctx, ec2 } = tagged('2026-11-01', { exempt_principals: ['arn:aws:iam::*:role/voclabs'] });

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([]);
    expect(report.findings[0]?.reason).to.match(/^exempt_principals\[0\] /);
  });

  it('acts on nothing and reports failed when the tags cannot be read for good, so no exception is overridden on a guess', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change, { tags: { [TAG]: '2026-12-01' } }).failOn(
      'describeGroups',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({
      verdict: 'violation',
      action: 'failed',
      error: 'UnauthorizedOperation: You are not authorized to perform this operation.',
    });
    expect(report.findings[0]?.reason).to.contain("the group's tags (exclude_tags, exception tag) could not be read");
    expect(notifier.published).to.have.length(1);
  });
});

describe('time-boxed exceptions, in the sweep', () => {
  it('leaves the rules of a group under an active exception, revokes those whose exception expired, and lists the one in force', async () => {
    // Prepare: the real event's rule in two groups, one tagged until next week, one until yesterday
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change, { groupName: 'vendor-test', tags: { [TAG]: '2026-12-01T18:00:00Z' } });
    ec2.addGroup({ groupId: 'sg-0aaaaaaaaaaaaaaaa', groupName: 'old-test', tags: { [TAG]: '2026-11-26' } });
    for (const rule of change.rules) ec2.addRule({ ...rule, groupId: 'sg-0aaaaaaaaaaaaaaaa' });
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processSweep({ eventId: 'sweep-1', account: change.account ?? '', region: change.region }, ctx);

    // Assess
    expect(ec2.rules().map((r) => r.groupId)).to.deep.equal([GROUP]);
    expect(report.counts).to.include({ violations: 1, exempt: 1, revoked: 1 });
    expect(report.exceptions_in_force).to.deep.equal([
      { group_id: GROUP, group_name: 'vendor-test', tag: TAG, until: '2026-12-01T18:00:00Z' },
    ]);
    expect(report.findings.find((f) => f.group_id === 'sg-0aaaaaaaaaaaaaaaa')?.reason).to.contain(
      'exception expired at 2026-11-26T23:59:59Z',
    );
    expect(notifier.published[0]?.email).to.contain(
      `Exceptions in force (1)\n  - ${GROUP} (vendor-test): until 2026-12-01T18:00:00Z (tag ${TAG})`,
    );
  });

  it('reads no tags for groups without a violation', async () => {
    // Prepare
    const change = changeOf(ALLOWED);
    const ec2 = accountAfter(change, { tags: { [TAG]: '2026-12-01' } });
    const { ctx } = engineContext({}, ec2);

    // Act
    const report = await processSweep({ eventId: 'sweep-1', account: change.account ?? '', region: change.region }, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules']);
    expect(report.exceptions_in_force).to.deep.equal([]);
  });
});
