/**
 * The restore command of a revoke, run as a person would run it: pasted into bash, with an
 * `aws` on PATH that only records the arguments bash gave it. Those arguments, applied with the
 * SDK, must put back exactly the rule that was revoked, description included.
 */
import { expect } from 'chai';
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { clone, fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { argumentsOfPaste, option } from './support/paste';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
/** What someone who wants the paste to do more than it says might write as a description. */
const HOSTILE_DESCRIPTION = 'vendor\'s test; $(touch /tmp/pwned) `id` ${HOME} && echo "done"';

integrationSuite('a restore command, pasted into bash', (emulator) => {
  it('re-creates exactly the revoked rule, a hostile description and all', async () => {
    // Prepare: the real event, its rule given a description full of shell syntax.
    const account = await emulator.freshAccount();
    const group = await account.createGroup('web');
    const record = clone(fixture(SSH_WORLD));
    record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = HOSTILE_DESCRIPTION;
    const { event } = await replayAuthorize(account, record, group);
    const before = (await account.rules(group)).filter((r) => !r.IsEgress);
    expect(before.map((r) => r.Description)).to.deep.equal([HOSTILE_DESCRIPTION]);
    const run = await account.runHandler(event);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);

    // Act
    const [restore] = run.result.restore;
    const words = argumentsOfPaste(restore.command);
    await account.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: option(words, '--group-id'),
        IpPermissions: JSON.parse(option(words, '--ip-permissions')),
      }),
    );

    // Assess
    expect(words.slice(0, 2)).to.deep.equal(['ec2', 'authorize-security-group-ingress']);
    expect(option(words, '--region')).to.equal(account.region);
    const after = (await account.rules(group)).filter((r) => !r.IsEgress);
    const content = (r: (typeof after)[number]) => [r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4, r.Description];
    expect(after.map(content)).to.deep.equal(before.map(content));
  });
});
