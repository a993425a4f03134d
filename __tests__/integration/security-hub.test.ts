/**
 * Security Hub through the built bundle against an AWS-compatible API: what Security Hub holds
 * after the function ran (GetFindings) is asserted, not what the function says it sent.
 */
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

integrationSuite('Security Hub findings, end to end', (emulator) => {
  it('turns a revoked world-open SSH rule into one CRITICAL, RESOLVED finding on the group in that account; a second delivery leaves one finding', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const hub = account.client(SecurityHubClient);

    // Act: the same event delivered twice.
    const first = await account.runHandler(event, { SENTRY_SECURITY_HUB: 'true' });
    const second = await account.runHandler(event, { SENTRY_SECURITY_HUB: 'true' });

    // Assess
    expect(first.thrown, first.stderr).to.equal(undefined);
    expect(second.thrown, second.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    const { Findings = [] } = await hub.send(new GetFindingsCommand({}));
    expect(Findings).to.have.length(1);
    const finding = Findings[0]!;
    expect(finding.Id).to.equal(`sg-sentry/${account.accountId}/${account.region}/${group}/ingress/tcp/22/0.0.0.0/0`);
    expect(finding.AwsAccountId).to.equal(account.accountId);
    expect(finding.Severity?.Label).to.equal('CRITICAL');
    expect(finding.Workflow?.Status).to.equal('RESOLVED');
    expect(finding.Resources?.map((r) => [r.Type, r.Id])).to.deep.equal([
      ['AwsEc2SecurityGroup', `arn:aws:ec2:${account.region}:${account.accountId}:security-group/${group}`],
    ]);
    expect(first.result.security_hub).to.deep.equal({ imported: 1, failed: 0 });
    expect(second.result.security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });

  it("imports an event of a member account into that account's Security Hub through its member role, none into the central one", async () => {
    // Prepare
    const central = await emulator.freshAccount();
    const member = await emulator.freshAccount();
    const group = await member.createGroup('web');
    const { event } = await replayAuthorize(member, fixture(SSH_WORLD), group);

    // Act
    const run = await central.runHandler(event, { SENTRY_SECURITY_HUB: 'true', SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member' });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const findingsOf = async (account: typeof central) =>
      (await account.client(SecurityHubClient).send(new GetFindingsCommand({}))).Findings ?? [];
    expect((await findingsOf(member)).map((f) => [f.AwsAccountId, f.Id])).to.deep.equal([
      [member.accountId, `sg-sentry/${member.accountId}/${member.region}/${group}/ingress/tcp/22/0.0.0.0/0`],
    ]);
    expect(await findingsOf(central)).to.deep.equal([]);
  });

  it('revokes and finishes the event when Security Hub cannot be reached, logging the failure', async () => {
    // Prepare: Security Hub's endpoint points at a closed port; EC2 stays on the emulator.
    const account = await emulator.freshAccount();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);

    // Act
    const run = await account.runHandler(event, { SENTRY_SECURITY_HUB: 'true', AWS_ENDPOINT_URL_SECURITYHUB: 'http://127.0.0.1:9' });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.security_hub).to.deep.equal({ imported: 0, failed: 1 });
    expect(run.logs.filter((l: any) => l.level === 'error').map((l: any) => l.message)).to.deep.equal([
      'Security Hub refused findings; remediation stands',
    ]);
  });
});
