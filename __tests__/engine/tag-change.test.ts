/**
 * CreateTags / DeleteTags at the ports: the derived tag records (from the real Terraform
 * CreateSecurityGroup sample, see derived/SOURCES.md), the group they name holding a world-open
 * SSH rule in an in-memory EC2, the engine's clock at NOW (2026-11-27T10:00:00Z).
 */
import { expect } from 'chai';
import type { TagChange } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import type { TagChangeReport } from '../../function/core/report/report';
import { processTagChange } from '../../function/core/tag-change';
import { envelope, fixture } from '../helpers/fixtures';
import { ruleKey } from '../../function/core/model/rule-key';
import { InMemoryEc2, throttled } from '../helpers/in-memory-ec2';
import { InMemoryState } from '../helpers/in-memory-state';
import { engineContext } from './support';

const CREATE = 'derived/create-tags-exception-from-create-security-group-terraform-tag-specification';
const DELETE = 'derived/delete-tags-exception-from-create-security-group-terraform-tag-specification';
const GROUP = 'sg-07111150655b49758';
const TAG = 'sg-sentry:exempt-until';
const TAGGER = 'arn:aws:sts::999999999999:assumed-role/EC2Role/i-05c3bdc7f6a978bf4';
const APPROVERS = { exception_approvers: ['arn:aws:iam::*:role/security-approver'] };

function parsed(name: string, edit?: (record: Record<string, any>) => void) {
  const event = envelope(fixture(name));
  edit?.(event.detail);
  return parseEvent(event);
}

function tagChangeOf(name: string, edit?: (record: Record<string, any>) => void): TagChange {
  const result = parsed(name, edit);
  if (result.kind !== 'tag-change') throw new Error(`${name} is not a tag change: ${result.kind}`);
  return result.change;
}

/** The group as EC2 holds it after the call: its tags, and a world-open SSH rule. */
function groupWith(tags: Record<string, string>): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, groupName: 'bluegreen_alb_sg', tags });
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
    fromPort: 443,
    toPort: 443,
    source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
  });
  return ec2;
}

function withValue(value: string) {
  return (record: Record<string, any>) => {
    record.requestParameters.tagSet.items[0].value = value;
  };
}

describe('tag events: parsing', () => {
  it('reads the security groups and the tags of a CreateTags record', () => {
    // Act
    const change = tagChangeOf(CREATE);

    // Assess
    expect(change).to.include({ eventName: 'CreateTags', kind: 'set', region: 'ap-northeast-1', account: '999999999999' });
    expect(change.groupIds).to.deep.equal([GROUP]);
    expect(change.tags).to.deep.equal([{ key: TAG, value: '2023-01-20' }]);
  });

  it('reads a DeleteTags tag given by key only', () => {
    // Act
    const change = tagChangeOf(DELETE);

    // Assess
    expect(change).to.include({ eventName: 'DeleteTags', kind: 'removed' });
    expect(change.tags).to.deep.equal([{ key: TAG }]);
  });

  it('reads a DeleteTags without a tag set as removing every tag', () => {
    // Act
    const change = tagChangeOf(DELETE, (record) => {
      delete record.requestParameters.tagSet;
    });

    // Assess
    expect(change.tags).to.equal('all');
  });

  it('ignores a call that names no security group among its resources', () => {
    // Act
    const result = parsed(CREATE, (record) => {
      record.requestParameters.resourcesSet.items = [{ resourceId: 'i-0123456789abcdef0' }, { resourceId: 'vol-0123456789abcdef0' }];
    });

    // Assess
    expect(result).to.include({ kind: 'ignored', reason: 'CreateTags names no security group' });
  });

  it('keeps the security groups of a mixed call and skips items it cannot read, instead of failing the event', () => {
    // Act
    const change = tagChangeOf(CREATE, (record) => {
      record.requestParameters.resourcesSet.items = [
        { resourceId: 'i-0123456789abcdef0' },
        { resourceId: 42 },
        {},
        { resourceId: GROUP.toUpperCase() },
      ];
      record.requestParameters.tagSet.items.push({ value: 'no key' }, { key: 'Name', value: 'web', extra: true });
    });

    // Assess
    expect(change.groupIds).to.deep.equal([GROUP]);
    expect(change.tags).to.deep.equal([
      { key: TAG, value: '2023-01-20' },
      { key: 'Name', value: 'web' },
    ]);
  });
});

describe('tag events: the group is judged at once', () => {
  it('revokes the world-open rule as soon as the exception tag is removed, and leaves the allowed one', async () => {
    // Prepare: the tag is gone from the group, as after the DeleteTags
    const ec2 = groupWith({});
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(DELETE), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
    expect(report.groups.map((g) => g.findings.map((f) => `${f.from_port} ${f.action}`))).to.deep.equal([['22 revoked']]);
    expect(report.groups[0]?.tag_change).to.deep.equal({ kind: 'removed', tags: [{ key: TAG }] });
    expect(notifier.published.map((m) => m.subject)).to.deep.equal([
      'sg-sentry: revoked tcp/22 from 0.0.0.0/0 on sg-07111150655b49758 "bluegreen_alb_sg"',
    ]);
    expect(notifier.published[0]?.email).to.match(
      /^Tag change: DeleteTags removed sg-sentry:exempt-until; the group's current rules were judged\./,
    );
  });

  it('judges every group of the call before failing retryably for one whose rules cannot be listed for now, and logs what it did', async () => {
    // Prepare: the DeleteTags names a second group, whose rules EC2 throttles.
    const other = 'sg-0ccccccccccccccc3';
    const ec2 = groupWith({}).addGroup({ groupId: other });
    ec2.failOn('describeRules', throttled(), { when: (request) => request.groupIds?.includes(other) === true });
    const change = tagChangeOf(DELETE, (record) => {
      record.requestParameters.resourcesSet.items = [{ resourceId: other }, { resourceId: GROUP }];
    });
    const { ctx, logs, notifier } = engineContext({}, ec2);

    // Act
    const error = await processTagChange(change, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(ec2.rules(GROUP).map((r) => r.fromPort)).to.deep.equal([443]);
    const line = logs.find((l) => l.message === 'sg-sentry tag change') as Record<string, any> | undefined;
    expect(line).to.include({ level: 'error' });
    expect(line?.groups.map((g: Record<string, any>) => `${g.group_id} ${g.findings.map((f: any) => f.action).join(',')}`)).to.deep.equal([
      `${GROUP} revoked`,
    ]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('logs at error level, as an event is logged, a tag change whose revoke EC2 refuses for good', async () => {
    // Prepare: the tag is gone; the function may not revoke.
    const ec2 = groupWith({}).failOn(
      'revokeRuleIds',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, logs } = engineContext({}, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(DELETE), ctx)) as TagChangeReport;

    // Assess
    expect(report.groups[0]?.findings.map((f) => f.action)).to.deep.equal(['failed']);
    expect(logs.filter((l) => l.message === 'sg-sentry tag change').map((l) => l.level)).to.deep.equal(['error']);
  });

  it('revokes when the exception is changed to a time already past', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-11-01' });
    const { ctx } = engineContext({}, ec2);

    // Act
    await processTagChange(tagChangeOf(CREATE, withValue('2026-11-01')), ctx);

    // Assess
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
  });

  it('leaves the rule and reports it exempt when the exception is set to a time ahead', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-12-01' });
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.rules()).to.have.length(2);
    expect(report.groups[0]?.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(notifier.published).to.have.length(1);
  });

  it('ignores a tag sg-sentry does not read, with no call', async () => {
    // Prepare
    const ec2 = groupWith({});
    const { ctx, logs } = engineContext({}, ec2);
    const change = tagChangeOf(CREATE, (record) => {
      record.requestParameters.tagSet.items = [{ key: 'Name', value: 'web' }];
    });

    // Act
    const report = await processTagChange(change, ctx);

    // Assess
    expect(report).to.include({ status: 'ignored', reason: 'CreateTags changes no tag sg-sentry reads' });
    expect(ec2.calls).to.deep.equal([]);
    expect(logs[0]).to.include({ message: 'sg-sentry ignored event' });
  });

  it('judges the group when an exclude_tags key is removed', async () => {
    // Prepare
    const ec2 = groupWith({});
    const { ctx } = engineContext({ exclude_tags: { 'sg-sentry': 'off' } }, ec2);
    const change = tagChangeOf(DELETE, (record) => {
      record.requestParameters.tagSet.items = [{ key: 'sg-sentry', value: 'off' }];
    });

    // Act
    await processTagChange(change, ctx);

    // Assess
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
  });

  it('keeps a rule the event path let stand because of who made it, as the sweep does', async () => {
    // Prepare: the world SSH rule was made by the deployer role, and remembered
    const ec2 = groupWith({});
    const [ssh] = ec2.rules();
    const state = new InMemoryState();
    const deployer = 'arn:aws:iam::999999999999:role/deployer';
    await state.recordExemptions([
      {
        account: '999999999999',
        region: 'ap-northeast-1',
        ruleId: ssh?.ruleId ?? '',
        groupId: GROUP,
        rule: ssh !== undefined ? ruleKey(ssh) : '',
        ruleText: 'tcp/22 from 0.0.0.0/0',
        principal: { issuerArn: deployer },
        reason: `exempt_principals[0] "${deployer}" matches issuer ${deployer}`,
        time: '2026-11-20T00:00:00Z',
        expiration: 1_900_000_000,
      },
    ]);
    const { ctx } = engineContext({ exempt_principals: [deployer] }, ec2, { state });

    // Act
    const report = (await processTagChange(tagChangeOf(DELETE), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.rules()).to.have.length(2);
    expect(report.groups[0]?.findings[0]?.verdict).to.equal('exempt');
    expect(report.groups[0]?.findings[0]?.reason).to.match(/^exempt when it was made /);
  });

  it('revokes nothing on a guess when the remembered exemptions cannot be read', async () => {
    // Prepare
    const ec2 = groupWith({});
    const { ctx } = engineContext({}, ec2, { state: new InMemoryState().failWith() });

    // Act
    const report = (await processTagChange(tagChangeOf(DELETE), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.rules()).to.have.length(2);
    expect(report.groups[0]?.findings[0]).to.include({ verdict: 'violation', action: 'failed' });
    expect(report.groups[0]?.findings[0]?.error).to.match(
      /^not revoked: the exemptions remembered for these rules could not be read \(BatchGetItem on sg-sentry-state failed/,
    );
  });

  it('leaves a group the policy does not watch alone and says why', async () => {
    // Prepare
    const ec2 = groupWith({});
    const { ctx } = engineContext({ exclude_groups: [GROUP] }, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(DELETE), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.calls).to.deep.equal([]);
    expect(report.not_watched).to.deep.equal([{ group_id: GROUP, reason: `${GROUP} is in exclude_groups` }]);
  });
});

describe('tag events: exception_approvers', () => {
  it('removes an exception tag set by someone who is not an approver, revokes, and notifies who tried', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-12-01', Name: 'web' });
    const { ctx, notifier } = engineContext(APPROVERS, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.callsOf('deleteTag')).to.deep.equal([{ groupId: GROUP, key: TAG, value: '2026-12-01' }]);
    expect(ec2.tagsOf(GROUP)).to.deep.equal({ Name: 'web' });
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
    expect(report.groups[0]?.tag_change?.unapproved_exception).to.deep.equal({
      tag: TAG,
      value: '2026-12-01',
      set_by: TAGGER,
      action: 'removed',
      reason: `${TAGGER} is not in exception_approvers, so the exception tag ${TAG} it set is not honoured`,
    });
    const email = notifier.published[0]?.email ?? '';
    expect(email).to.match(
      /^REMOVED an unapproved exception: sg-sentry:exempt-until=2026-12-01 on sg-07111150655b49758 \(bluegreen_alb_sg\)\n {2}set by: arn:aws:sts::999999999999:assumed-role\/EC2Role\/i-05c3bdc7f6a978bf4\n/,
    );
  });

  it('notifies a removed unapproved exception even when every rule of the group is allowed', async () => {
    // Prepare
    const ec2 = new InMemoryEc2().addGroup({ groupId: GROUP, tags: { [TAG]: '2026-12-01' } });
    const { ctx, notifier } = engineContext(APPROVERS, ec2);

    // Act
    await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx);

    // Assess
    expect(ec2.tagsOf(GROUP)).to.deep.equal({});
    expect(notifier.published.map((m) => [m.subject, m.attributes.action])).to.deep.equal([
      ['sg-sentry: removed unapproved exception on sg-07111150655b49758', 'exception-removed'],
    ]);
  });

  it('honours an exception set by an approver', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-12-01' });
    const { ctx } = engineContext({ exception_approvers: ['arn:aws:iam::999999999999:role/EC2Role'] }, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.callsOf('deleteTag')).to.deep.equal([]);
    expect(ec2.rules()).to.have.length(2);
    expect(report.groups[0]?.findings[0]).to.include({ verdict: 'exempt' });
  });

  it('in report mode removes nothing, but still does not honour the unapproved exception', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-12-01' });
    const { ctx } = engineContext({ ...APPROVERS, mode: 'report' }, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.callsOf('deleteTag')).to.deep.equal([]);
    expect(ec2.tagsOf(GROUP)).to.deep.equal({ [TAG]: '2026-12-01' });
    expect(report.groups[0]?.tag_change?.unapproved_exception?.action).to.equal('would-remove');
    expect(report.groups[0]?.findings[0]).to.include({ verdict: 'violation', action: 'reported' });
  });

  it('leaves a value changed since (by someone else) in place and judges the group with it', async () => {
    // Prepare: an approver has set another end since the unapproved call
    const ec2 = groupWith({ [TAG]: '2026-11-28' });
    const { ctx } = engineContext(APPROVERS, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.callsOf('deleteTag')).to.deep.equal([]);
    expect(report.groups[0]?.tag_change?.unapproved_exception?.action).to.equal('changed-since');
    expect(report.groups[0]?.findings[0]?.reason).to.match(/^exception until 2026-11-28T23:59:59Z /);
  });

  it('does not honour the unapproved exception when removing it is denied, and says so', async () => {
    // Prepare
    const ec2 = groupWith({ [TAG]: '2026-12-01' }).failOn(
      'deleteTag',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier } = engineContext(APPROVERS, ec2);

    // Act
    const report = (await processTagChange(tagChangeOf(CREATE, withValue('2026-12-01')), ctx)) as TagChangeReport;

    // Assess
    expect(ec2.rules().map((r) => r.fromPort)).to.deep.equal([443]);
    expect(report.groups[0]?.tag_change?.unapproved_exception).to.include({
      action: 'failed',
      error: 'UnauthorizedOperation: You are not authorized to perform this operation.',
    });
    expect(notifier.published[0]?.email).to.match(/^FAILED to remove an unapproved exception: /);
  });

  it('ignores the tag change sg-sentry itself made when it removed a tag', async () => {
    // Prepare
    const ec2 = groupWith({});
    const { ctx } = engineContext(APPROVERS, ec2, {
      self: { roleArn: 'arn:aws:iam::999999999999:role/EC2Role', sessionName: 'i-05c3bdc7f6a978bf4' },
    });

    // Act
    const report = await processTagChange(tagChangeOf(DELETE), ctx);

    // Assess
    expect(report).to.include({ status: 'ignored' });
    expect(ec2.calls).to.deep.equal([]);
  });
});
