/**
 * An Authorize event that names its group only by name (the default-VPC form, in a record from
 * before EC2 reported rule ids, so nothing in it carries the group id). The group's scope and
 * tags must hold as they do for a group named by id: the one DescribeSecurityGroups the event
 * path makes, asked by name, also gives the id.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { changeOf, engineContext } from './support';

const BY_NAME = 'derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk';
const DEFAULT_GROUP = 'sg-0d921df5d84f7270a';
const TAG = 'sg-sentry:exempt-until';

/** EC2 after the call: the default VPC's `default` group, holding the world-open SSH rule the event created. */
function defaultVpcAfter(tags: Record<string, string> = {}) {
  const change = changeOf(BY_NAME);
  const ec2 = new InMemoryEc2().addGroup({ groupId: DEFAULT_GROUP, groupName: 'default', vpcId: 'vpc-0default', tags });
  for (const rule of change.rules) ec2.addRule({ ...rule, groupId: DEFAULT_GROUP });
  return { change, ec2 };
}

describe('a group the event names only by name', () => {
  it('honours its time-boxed exception, read with one DescribeSecurityGroups by name', async () => {
    // Prepare
    const { change, ec2 } = defaultVpcAfter({ [TAG]: '2026-12-01' });
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(change.groupId).to.equal(undefined);
    expect(ec2.calls).to.deep.equal([{ method: 'describeGroupByName', request: 'default' }]);
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal(['exempt none']);
    expect(report).to.include({ group_id: DEFAULT_GROUP, group_name: 'default', vpc_id: 'vpc-0default' });
  });

  it('never touches it when exclude_groups names its id', async () => {
    // Prepare
    const { change, ec2 } = defaultVpcAfter();
    const { ctx } = engineContext({ exclude_groups: [DEFAULT_GROUP], exception_tag: null }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(report.findings[0]?.reason).to.contain(`${DEFAULT_GROUP} is in exclude_groups`);
  });

  it('never touches it when it carries an exclude_tags tag', async () => {
    // Prepare
    const { change, ec2 } = defaultVpcAfter({ 'sg-sentry': 'off' });
    const { ctx } = engineContext({ exclude_tags: { 'sg-sentry': 'off' } }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
  });

  it('revokes its violation by the id it was found under when groups lists that id', async () => {
    // Prepare
    const { change, ec2 } = defaultVpcAfter();
    const { ctx } = engineContext({ groups: [DEFAULT_GROUP], exception_tag: null }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings.map((f) => `${f.verdict} ${f.action} ${f.group_id}`)).to.deep.equal([`violation revoked ${DEFAULT_GROUP}`]);
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroupByName', 'revokePermissions']);
    expect(ec2.calls[1]?.request).to.deep.include({ groupId: DEFAULT_GROUP });
  });

  it('costs no read when neither its scope nor its tags could change the verdict', async () => {
    // Prepare
    const { change, ec2 } = defaultVpcAfter();
    const { ctx } = engineContext({ exception_tag: null }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['revokePermissions']);
    expect(ec2.calls[0]?.request).to.deep.include({ groupName: 'default' });
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal(['violation revoked']);
  });

  it('is judged by name alone, as before, when EC2 knows no group of that name', async () => {
    // Prepare: the default group was deleted since (EC2 answers InvalidGroup.NotFound by name too).
    const change = changeOf(BY_NAME);
    const ec2 = new InMemoryEc2();
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.verdict} ${f.action}`)).to.deep.equal(['violation already-removed']);
    expect(report).to.include({ group_id: null, group_name: 'default' });
  });
});
