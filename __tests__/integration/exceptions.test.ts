/**
 * Time-boxed exceptions through the built bundle against an AWS-compatible API: the group's tag
 * is read from EC2 and what EC2 holds afterwards is asserted. The bundle runs on the real clock,
 * so the tag values are set relative to now.
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
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
