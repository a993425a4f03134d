/**
 * What the engine does when a read it makes before judging fails: a group deleted before the
 * event is processed is "already removed"; an error no retry can fix is reported `failed` and
 * notified, never thrown (a throw only buys two retries, a dead letter and an error alarm);
 * an error a retry can fix still throws, once the report is logged.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import { throttled } from '../helpers/in-memory-ec2';
import { accountAfter, changeOf, engineContext, thrown } from './support';

// Real console sample (2021, no rule ids): tcp/22 from 0.0.0.0/0 and ::/0.
const NO_RULE_IDS = 'eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021';
const MODIFY = 'derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole';
const EXCLUDE_TAGS = { exclude_tags: { 'sg-sentry': 'off' } };

const unauthorized = () => new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false);

describe('engine, when a read before judging fails', () => {
  it('reports the rules of a group deleted before processing as already removed when exclude_tags needs its tags, and does not throw', async () => {
    // Prepare
    const change = changeOf(NO_RULE_IDS);
    const ec2 = accountAfter(change);
    ec2.deleteGroup(change.groupId ?? '');
    const { ctx, notifier, logs } = engineContext(EXCLUDE_TAGS, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal([
      'violation already-removed',
      'violation already-removed',
    ]);
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['already-removed']);
    expect(logs.at(-1)).to.include({ level: 'info', message: 'sg-sentry event' });
  });

  it('reports a violation as failed and notifies it when the group cannot be read for a reason no retry fixes, revoking nothing', async () => {
    // Prepare
    const change = changeOf(NO_RULE_IDS);
    const ec2 = accountAfter(change).failOn('describeGroups', unauthorized());
    const { ctx, notifier, logs } = engineContext(EXCLUDE_TAGS, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups']);
    expect(ec2.rules()).to.have.length(2);
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal(['violation failed', 'violation failed']);
    expect(report.findings[0]?.error).to.contain('UnauthorizedOperation');
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['failed']);
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry event' });
  });

  it('throws retryably when the group read is throttled, after logging the report, and notifies nothing', async () => {
    // Prepare
    const change = changeOf(NO_RULE_IDS);
    const ec2 = accountAfter(change).failOn('describeGroups', throttled());
    const { ctx, notifier, logs } = engineContext(EXCLUDE_TAGS, ec2);

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(notifier.published).to.deep.equal([]);
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry event' });
    expect(((logs.at(-1)?.findings ?? []) as { action: string }[]).map((f) => f.action)).to.deep.equal(['failed', 'failed']);
  });

  it('reports a modified rule as failed and notifies it when EC2 refuses to describe it, without throwing', async () => {
    // Prepare
    const change = changeOf(MODIFY);
    const ec2 = accountAfter({ ...change, rules: [] }).failOn('describeRules', unauthorized());
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal(['violation failed']);
    expect(report.findings[0]?.error).to.contain('UnauthorizedOperation');
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['failed']);
  });

  it('throws retryably when the read of a modified rule is throttled, after logging the report with the rule failed', async () => {
    // Prepare
    const change = changeOf(MODIFY);
    const ec2 = accountAfter({ ...change, rules: [] }).failOn('describeRules', throttled());
    const { ctx, notifier, logs } = engineContext({}, ec2);

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry event' });
    expect(((logs.at(-1)?.findings ?? []) as { action: string }[]).map((f) => f.action)).to.deep.equal(['failed']);
    expect(notifier.published).to.deep.equal([]);
  });
});
