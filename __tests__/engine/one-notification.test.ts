/**
 * One notification per event, at the ports: the real console event, redelivered; the gate in
 * memory with the state table's protocol (helpers/in-memory-notify-once.ts).
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { NotificationError, NotificationInProgressError } from '../../function/core/errors';
import { processSweep } from '../../function/core/sweep';
import { InMemoryNotifyOnce } from '../helpers/in-memory-notify-once';
import { accountAfter, changeOf, engineContext } from './support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
// Real CloudFormation sample: a security-group reference, allowed by the default policy.
const ALLOWED = 'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1';

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('one notification per event', () => {
  it('sends no second notification for a second delivery, whose report and log line say duplicate', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const notifyOnce = new InMemoryNotifyOnce();
    const { ctx, notifier, logs } = engineContext({}, ec2, { notifyOnce });
    const first = await processChange(change, ctx);

    // Act
    const second = await processChange(change, ctx);

    // Assess
    expect(notifier.published).to.have.length(1);
    expect(notifyOnce.keys).to.deep.equal([change.eventId, change.eventId]);
    expect(first.report).not.to.have.property('duplicate');
    expect(second.report).to.include({ duplicate: true });
    expect(second.report.findings.map((f) => f.action)).to.deep.equal(['already-removed']);
    expect(logs.filter((l) => l.message === 'sg-sentry event').map((l) => l.duplicate)).to.deep.equal([undefined, true]);
  });

  it('notifies on the retry of a delivery whose notification failed', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const notifyOnce = new InMemoryNotifyOnce();
    const { ctx, notifier } = engineContext({}, accountAfter(change), { notifyOnce });
    notifier.failWith(new Error('SNS is down'));
    const error = await thrown(processChange(change, ctx));
    notifier.recover();

    // Act
    const retry = await processChange(change, ctx);

    // Assess
    expect(error).to.be.instanceOf(NotificationError);
    expect(notifier.published).to.have.length(1);
    expect(retry.report).not.to.have.property('duplicate');
  });

  it('fails retryably, after the revoke, while another delivery of the event is notifying', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const notifyOnce = new InMemoryNotifyOnce();
    notifyOnce.records.set(change.eventId, 'in-progress');
    const { ctx, notifier } = engineContext({}, ec2, { notifyOnce });

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(error).to.be.instanceOf(NotificationInProgressError);
    expect(ec2.rules()).to.deep.equal([]);
    expect(notifier.published).to.have.length(0);
  });

  it('notifies anyway when the table cannot be reached, and logs why a redelivery may notify again', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const notifyOnce = new InMemoryNotifyOnce();
    notifyOnce.unreachable = true;
    const { ctx, notifier, logs } = engineContext({}, accountAfter(change), { notifyOnce });

    // Act
    await processChange(change, ctx);

    // Assess
    expect(notifier.published).to.have.length(1);
    expect(logs.find((l) => l.level === 'warn')).to.include({
      message: 'sg-sentry notified without the state table; a redelivery may notify again',
      event_id: change.eventId,
    });
  });

  it('does not consult the table for an event that sends nothing', async () => {
    // Prepare
    const change = changeOf(ALLOWED);
    const notifyOnce = new InMemoryNotifyOnce();
    const { ctx } = engineContext({}, accountAfter(change), { notifyOnce });

    // Act
    await processChange(change, ctx);

    // Assess
    expect(notifyOnce.keys).to.deep.equal([]);
  });

  it('sends one sweep summary per schedule event id, whatever the redeliveries', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const notifyOnce = new InMemoryNotifyOnce();
    const { ctx, notifier } = engineContext({ mode: 'report' }, accountAfter(change), { notifyOnce });
    const sweep = { eventId: 'schedule-event-1', account: change.account ?? '', region: change.region };
    await processSweep(sweep, ctx);

    // Act
    const again = await processSweep(sweep, ctx);
    const next = await processSweep({ ...sweep, eventId: 'schedule-event-2' }, ctx);

    // Assess
    expect(notifier.published).to.have.length(2);
    expect(again).to.include({ duplicate: true });
    expect(next).not.to.have.property('duplicate');
  });
});
