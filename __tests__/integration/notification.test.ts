/**
 * The SNS notification as a subscriber gets it: published by the built bundle to a real topic
 * and read back through an SQS subscription (subject, message attributes, the JSON report that
 * `MessageStructure: "json"` delivers to SQS as the `default` text).
 */
import { expect } from 'chai';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
// Real CLI sample (Grimoire): tcp/22 from 203.0.113.0/24, a public range outside the default allowlist.
const SSH_CIDR = 'authorize-ingress-ssh-cidr-rule-ids-cli-grimoire';

integrationSuite('the SNS notification, read back through an SQS subscription', (emulator) => {
  it('delivers one message whose subject, attributes and JSON report name the revoked rule, the group and who opened it', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('web');
    const real = fixture(SSH_WORLD);
    const { event, created } = await replayAuthorize(account, real, group);
    const ruleId = created[0]?.SecurityGroupRuleId;

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const notifications = await inbox.drain();
    expect(notifications).to.have.length(1);
    const [notification] = notifications;
    expect(Buffer.byteLength(notification?.subject ?? '')).to.be.within(1, 100);
    expect(notification?.subject)
      .to.match(/^sg-sentry: revoked /)
      .and.to.include('0.0.0.0/0')
      .and.to.include(group);
    expect(notification?.attributes).to.deep.equal({ action: 'revoked', group_id: group, event_name: 'AuthorizeSecurityGroupIngress' });
    const report = JSON.parse(notification?.message ?? '');
    expect(report).to.include({
      event_id: real.eventID,
      event_name: 'AuthorizeSecurityGroupIngress',
      account: account.accountId,
      region: account.region,
      group_id: group,
      mode: 'enforce',
    });
    expect(report.principal).to.equal(`arn:aws:sts::${account.accountId}:assumed-role/voclabs/user289515=Jia_Jia`);
    expect(report.findings).to.have.length(1);
    expect(report.findings[0]).to.include({
      rule_id: ruleId,
      direction: 'ingress',
      protocol: 'tcp',
      from_port: 22,
      to_port: 22,
      source: '0.0.0.0/0',
      verdict: 'violation',
      action: 'revoked',
    });
    expect(report.findings[0].reason).to.be.a('string').and.not.equal('');
    expect(report).to.deep.equal(run.result);
  });

  it('says "would-revoke" and leaves the rule in EC2 when the policy is in report mode', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_CIDR), group);

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_POLICY: '{"mode":"report"}' });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 203.0.113.0/24');
    const notifications = await inbox.drain();
    expect(notifications.map((n) => n.attributes.action)).to.deep.equal(['would-revoke']);
    expect(JSON.parse(notifications[0]?.message ?? '').findings[0]).to.include({ verdict: 'violation', action: 'reported' });
  });

  it('publishes nothing for an event whose rules are all allowed', async () => {
    // Prepare: the same real CLI call, from a range the policy allows.
    const account = await emulator.freshAccount();
    const inbox = await account.inbox();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_CIDR), group);
    const policy = { ingress: { allow: [{ cidr: '203.0.113.0/24', protocol: 'tcp', ports: [22] }] } };

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: inbox.topicArn, SENTRY_POLICY: JSON.stringify(policy) });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(run.result.findings[0]).to.include({ verdict: 'allowed', action: 'none' });
    expect(await inbox.drain()).to.deep.equal([]);
    expect(await account.ruleLines(group)).to.include('ingress tcp 22-22 203.0.113.0/24');
  });
});
