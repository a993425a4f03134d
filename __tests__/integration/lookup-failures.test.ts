/**
 * A group deleted before its event is processed, against an AWS-compatible API through the
 * built bundle: with `exclude_tags` the function reads the group's tags first, EC2 answers
 * InvalidGroup.NotFound, and that is "already removed", not a throw that buys retries and a
 * dead letter.
 */
import { DeleteSecurityGroupCommand } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

integrationSuite('a group deleted before its event is processed', (emulator) => {
  it('reports its world-open rule as already removed and notifies it, without throwing', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('short-lived');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    await account.ec2.send(new DeleteSecurityGroupCommand({ GroupId: group }));

    // Act
    const run = await account.runHandler(event, {
      SENTRY_TOPIC_ARN: inbox.topicArn,
      SENTRY_POLICY: JSON.stringify({ exclude_tags: { 'sg-sentry': 'off' } }),
    });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result.findings.map((f: any) => `${f.verdict} ${f.action}`)).to.deep.equal(['violation already-removed']);
    const received = await inbox.drain();
    expect(received.map((n) => n.attributes.action)).to.deep.equal(['already-removed']);
  });
});
