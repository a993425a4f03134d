/**
 * Watched events that cannot be read, at the ports: the groups the record still names are
 * judged as they are now and acted on; when nothing can be checked, people are told.
 */
import { expect } from 'chai';
import type { UnreadableEvent } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import { processUnreadable } from '../../function/core/fail-safe';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2, throttled } from '../helpers/in-memory-ec2';
import { InMemoryNotifyOnce } from '../helpers/in-memory-notify-once';
import { engineContext } from './support';

// Real console sample: tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4, by an assumed role (voclabs).
const CONSOLE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const GROUP = 'sg-0632fa4ee8a8468a4';

/** The real record with its one permission's port made unreadable (70000). */
function unreadable(edit?: (record: Record<string, any>) => void): UnreadableEvent {
  const record = fixture(CONSOLE);
  record.requestParameters.ipPermissions.items[0].toPort = 70000;
  edit?.(record);
  const parsed = parseEvent(envelope(record));
  if (parsed.kind !== 'unreadable') throw new Error(`expected unreadable, got ${parsed.kind}`);
  return parsed.unreadable;
}

/** EC2 now: the group holds the world-open ssh rule the call created, and an allowed HTTPS rule. */
function account(): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, groupName: 'web', tags: { team: 'web' } });
  ec2.addRule({
    direction: 'ingress',
    groupId: GROUP,
    ruleId: 'sgr-09be5c962afdc06ed',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
  });
  ec2.addRule({
    direction: 'ingress',
    groupId: GROUP,
    protocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
  });
  return ec2;
}

describe('fail-safe for unreadable watched events, at the ports', () => {
  it("revokes by id the violation among the named group's current rules, and reports why the event was not read", async () => {
    // Prepare
    const ec2 = account();
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    // The tags are read for the exception tag the default policy honours.
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups', 'revokeRuleIds']);
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
    if (report.status !== 'processed') throw new Error(report.reason);
    expect(report.unreadable_event?.problems.join(' ')).to.contain('toPort');
    expect(report.findings.map((f) => `${f.from_port} ${f.verdict} ${f.action}`)).to.deep.equal([
      '22 violation revoked',
      '443 allowed none',
    ]);
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['revoked']);
  });

  it("leaves the group alone when the event's principal is exempt, as the event path would", async () => {
    // Prepare
    const ec2 = account();
    const { ctx } = engineContext({ exempt_principals: ['arn:aws:iam::*:role/voclabs'] }, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([]);
    expect(report.findings.map((f) => f.verdict)).to.deep.equal(['exempt', 'allowed']);
  });

  it('honours exclude_tags on the named group, reading its tags', async () => {
    // Prepare
    const ec2 = account();
    const { ctx } = engineContext({ exclude_tags: { team: 'web' } }, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups']);
    expect(report.findings.map((f) => f.verdict)).to.deep.equal(['exempt', 'allowed']);
  });

  it('honours a time-boxed exception on the named group, as the sweep does', async () => {
    // Prepare
    const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, tags: { 'sg-sentry:exempt-until': '2026-12-01' } });
    ec2.addRule({
      direction: 'ingress',
      groupId: GROUP,
      ruleId: 'sgr-09be5c962afdc06ed',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
    const { ctx } = engineContext({}, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([]);
    expect(report.findings.map((f) => f.verdict)).to.deep.equal(['exempt']);
  });

  it('reports nothing to revoke for a named group that no longer exists', async () => {
    // Prepare
    const ec2 = new InMemoryEc2();
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    expect(report.findings).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('says "could not be checked" at error level and notifies it when EC2 refuses the read for good', async () => {
    // Prepare
    const ec2 = account().failOn(
      'describeRules',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier, logs } = engineContext({}, ec2);

    // Act
    const report = await processUnreadable(unreadable(), ctx);

    // Assess
    expect(report).to.include({ status: 'invalid', could_not_check: true });
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry could not check event' });
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['could-not-check']);
    expect(notifier.published[0]?.email).to.contain('UnauthorizedOperation');
  });

  it('throws retryably when the read is throttled, logging a warning but not the "could not check" line that raises the alarm, and notifies nothing', async () => {
    // Prepare
    const ec2 = account().failOn('describeRules', throttled());
    const { ctx, notifier, logs } = engineContext({}, ec2);

    // Act
    let error: unknown;
    try {
      await processUnreadable(unreadable(), ctx);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(logs.at(-1)).to.include({ level: 'warn', message: 'sg-sentry event not checked yet; a retry follows' });
    expect(logs.filter((l) => l.message === 'sg-sentry could not check event')).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('says "could not be checked" when the record names no group', async () => {
    // Prepare
    const event = unreadable((record) => {
      delete record.requestParameters.groupId;
      delete record.responseElements.securityGroupRuleSet;
    });
    const ec2 = account();
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = await processUnreadable(event, ctx);

    // Assess
    if (report.status === 'processed') throw new Error('expected could not be checked');
    expect(report.could_not_check).to.equal(true);
    expect(report.reason).to.contain('no security group can be read from it');
    expect(ec2.calls).to.deep.equal([]);
    expect(notifier.published[0]?.subject).to.equal(`sg-sentry: could not check AuthorizeSecurityGroupIngress ${event.eventId}`);
  });

  it('sends one notification for two deliveries of the same unreadable event, the second reported as a duplicate', async () => {
    // Prepare: report mode, so the violation is still there when the event is delivered again
    const ec2 = account();
    const notifyOnce = new InMemoryNotifyOnce();
    const { ctx, notifier, logs } = engineContext({ mode: 'report' }, ec2, { notifyOnce });
    const event = unreadable();

    // Act
    await processUnreadable(event, ctx);
    const second = await processUnreadable(event, ctx);

    // Assess
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['would-revoke']);
    expect(second).to.include({ duplicate: true });
    expect(logs.filter((l) => l.message === 'sg-sentry event').map((l) => [l.level, l.duplicate])).to.deep.equal([
      ['warn', undefined],
      ['warn', true],
    ]);
  });

  it('sends "could not be checked" once for two deliveries of the same event', async () => {
    // Prepare
    const ec2 = account().failOn(
      'describeRules',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier } = engineContext({}, ec2, { notifyOnce: new InMemoryNotifyOnce() });
    const event = unreadable();

    // Act
    await processUnreadable(event, ctx);
    const second = await processUnreadable(event, ctx);

    // Assess
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['could-not-check']);
    expect(second).to.include({ could_not_check: true, duplicate: true });
  });
});
