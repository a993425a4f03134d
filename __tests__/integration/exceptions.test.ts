/**
 * Time-boxed exceptions through the built bundle against an AWS-compatible API: the group's tag
 * is read from EC2 and what EC2 holds afterwards is asserted. The bundle runs on the real clock,
 * so the tag values are set relative to now.
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize, replayTags } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const TAG = 'sg-sentry:exempt-until';
const DAY_MS = 86_400_000;

function utc(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

integrationSuite('time-boxed exceptions, end to end against EC2', (emulator) => {
  it('leaves a world-open rule in a group whose exception is active, and says until when', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const until = utc(2 * DAY_MS);
    const group = await account.createGroup('vendor-test', { tags: { [TAG]: until } });
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 0.0.0.0/0');
    expect(run.result.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(run.result.findings[0].reason).to.match(new RegExp(`^exception until ${until} \\(tag ${TAG}\\); `));
  });

  it('revokes in a group whose exception has expired, and says when it expired', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const yesterday = utc(-DAY_MS).slice(0, 10);
    const group = await account.createGroup('vendor-test', { tags: { [TAG]: yesterday } });
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(run.result.findings[0].reason).to.contain(`exception expired at ${yesterday}T23:59:59Z (tag ${TAG})`);
  });

  it('revokes in a group whose exception lies further ahead than max_exception_days, and says the tag was ignored', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const farAhead = utc(60 * DAY_MS);
    const group = await account.createGroup('vendor-test', { tags: { [TAG]: farAhead } });
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(run.result.findings[0].reason).to.contain(`tag ${TAG} ignored: ${farAhead} is more than max_exception_days (30) ahead`);
  });
});

// Derived from the real Terraform CreateSecurityGroup sample (see derived/SOURCES.md): tagging
// calls on its group, by the sample's instance role.
const CREATE_TAGS = 'derived/create-tags-exception-from-create-security-group-terraform-tag-specification';
const DELETE_TAGS = 'derived/delete-tags-exception-from-create-security-group-terraform-tag-specification';

integrationSuite('tag changes on a group, end to end against EC2', (emulator) => {
  it('revokes the world-open rule as soon as the exception tag is removed, without waiting for a sweep', async () => {
    // Prepare: an active exception kept the rule; then someone removes the tag
    const account = await emulator.freshAccount();
    const group = await account.createGroup('vendor-test', { tags: { [TAG]: utc(2 * DAY_MS) } });
    await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    const { event } = await replayTags(account, fixture(DELETE_TAGS), group);

    // Act
    const run = await account.runHandler(event);

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.groups[0].findings.map((f: any) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 revoked']);
  });

  it('removes an exception tag set by someone exception_approvers does not name, and revokes what it would have kept', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('vendor-test', { tags: { Name: 'vendor' } });
    await account.authorize(group, 'ingress', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    const real = fixture(CREATE_TAGS);
    real.requestParameters.tagSet.items[0].value = utc(2 * DAY_MS);
    const { event } = await replayTags(account, real, group);
    const policy = { exception_approvers: ['arn:aws:iam::*:role/security-approver'] };

    // Act
    const run = await account.runHandler(event, { SENTRY_POLICY: JSON.stringify(policy) });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const [described] = (await account.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }))).SecurityGroups ?? [];
    expect(described?.Tags).to.deep.equal([{ Key: 'Name', Value: 'vendor' }]);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.groups[0].tag_change.unapproved_exception).to.include({
      action: 'removed',
      set_by: `arn:aws:sts::${account.accountId}:assumed-role/EC2Role/i-05c3bdc7f6a978bf4`,
    });
  });
});
