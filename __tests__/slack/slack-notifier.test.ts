import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { NotificationError } from '../../function/core/errors';
import { FanOutNotifier } from '../../function/adapters/fan-out-notifier';
import type { EventReport } from '../../function/core/report/report';
import { SlackNotifier } from '../../function/adapters/slack-notifier';
import { SnsNotifier } from '../../function/adapters/sns-adapter';
import { envelope, fixture } from '../helpers/fixtures';
import { WebhookServer } from './webhook-server';
import { awsError } from '../helpers/aws-errors';

const TOPIC = 'arn:aws:sns:us-east-1:776520358045:sg-sentry';
const PARAMETER = '/sg-sentry/slack-webhook';
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const FAILED = 'slack notification failed; remediation and SNS are unaffected';
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);

/** The deployed wiring: the URL comes from SSM through SENTRY_SLACK_WEBHOOK_PARAM. */
function deployed(url: string) {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Type: 'SecureString', Value: url } });
  const logs: Record<string, unknown>[] = [];
  const ctx = contextFromEnvironment(
    { SENTRY_TOPIC_ARN: TOPIC, SENTRY_SLACK_WEBHOOK_PARAM: PARAMETER },
    { log: (line) => logs.push({ ...line }) },
  );
  return { handler: createHandler(ctx), logs };
}

/** The same wiring with a short Slack timeout, so that a hanging webhook costs little test time. */
function withShortTimeout(url: string) {
  const logs: Record<string, unknown>[] = [];
  const log = (line: Readonly<Record<string, unknown>>) => logs.push({ ...line });
  const slack = new SlackNotifier(async () => url, log, { timeoutMs: 200, backoffMs: 10 });
  const ctx = contextFromEnvironment({}, { log, notifier: new FanOutNotifier(SnsNotifier.forTopic(TOPIC), [slack], log) });
  return { handler: createHandler(ctx), logs };
}

function slackFailures(logs: Record<string, unknown>[]) {
  return logs.filter((l) => l.message === FAILED);
}

/** The remediation and the SNS notification happened as if Slack were not configured. */
function expectRemediationAndSnsIntact(report: EventReport) {
  expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(1);
  expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
  expect(sns.commandCalls(PublishCommand)).to.have.length(1);
}

describe('Slack notifications', () => {
  let server: WebhookServer;

  beforeEach(async () => {
    ec2.reset();
    sns.reset();
    ssm.reset();
    ec2.onAnyCommand().resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    server = await WebhookServer.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('posts a Block Kit message to the webhook URL read from the SSM SecureString', async () => {
    // Prepare
    const { handler, logs } = deployed(server.url);

    // Act
    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    // Assess
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).to.deep.equal([{ Name: PARAMETER, WithDecryption: true }]);
    expect(server.posts).to.have.length(1);
    const post = server.posts[0];
    expect(post).to.include({ method: 'POST', path: '/services/T0000/B0000/secret-token', contentType: 'application/json' });
    expect(post?.body.text).to.equal('sg-sentry: revoked tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4');
    expect(post?.body.blocks[0]).to.deep.equal({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*REVOKED*: `tcp/22` from `0.0.0.0/0` on `sg-0632fa4ee8a8468a4`\n`AuthorizeSecurityGroupIngress` by `arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia`',
      },
    });
    expectRemediationAndSnsIntact(report);
    expect(slackFailures(logs)).to.have.length(0);
  });

  it('reads the SSM parameter once per cold start', async () => {
    const { handler } = deployed(server.url);

    await handler(envelope(fixture(SSH_WORLD)));
    await handler(fixture('eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root'));

    expect(ssm.commandCalls(GetParameterCommand)).to.have.length(1);
    expect(server.posts).to.have.length(2);
  });

  it('does not keep a failed SSM read: logs it, and the next invocation reads again', async () => {
    // Prepare
    const logs: Record<string, unknown>[] = [];
    const ctx = contextFromEnvironment(
      { SENTRY_TOPIC_ARN: TOPIC, SENTRY_SLACK_WEBHOOK_PARAM: PARAMETER },
      { log: (line) => logs.push({ ...line }) },
    );
    const handler = createHandler(ctx);
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(awsError('AccessDeniedException', 'client', 400))
      .resolves({ Parameter: { Value: server.url } });

    // Act
    const first = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;
    const afterFirst = { posts: server.posts.length, publishes: sns.calls().length };
    await handler(envelope(fixture(SSH_WORLD)));

    // Assess
    expect(first.findings[0]).to.include({ action: 'revoked' });
    expect(afterFirst).to.deep.equal({ posts: 0, publishes: 1 });
    expect(slackFailures(logs)[0]?.error).to.equal(
      `webhook URL from SSM parameter ${PARAMETER}: reading SSM parameter ${PARAMETER} failed: AccessDeniedException: AccessDeniedException happened`,
    );
    expect(ssm.commandCalls(GetParameterCommand)).to.have.length(2);
    expect(server.posts).to.have.length(1);
  });

  it('retries a 500 once, then logs it; remediation and SNS are intact', async () => {
    server.behaviour = { status: 500, body: 'internal_error' };
    const { handler, logs } = deployed(server.url);

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(server.posts).to.have.length(2);
    expect(slackFailures(logs)).to.deep.equal([
      { level: 'error', message: FAILED, event_id: '2aae5c69-4eaf-490d-b022-fd622c12a717', error: 'HTTP 500: internal_error', attempts: 2 },
    ]);
    expectRemediationAndSnsIntact(report);
  });

  it('does not retry a 4xx such as an archived channel', async () => {
    server.behaviour = { status: 410, body: 'channel_is_archived' };
    const { handler, logs } = deployed(server.url);

    await handler(envelope(fixture(SSH_WORLD)));

    expect(server.posts).to.have.length(1);
    expect(slackFailures(logs)[0]).to.include({ error: 'HTTP 410: channel_is_archived', attempts: 1 });
  });

  it('gives up on a webhook that never answers, after the timeout of each attempt', async () => {
    server.behaviour = 'hang';
    const { handler, logs } = withShortTimeout(server.url);

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(server.posts).to.have.length(2);
    expect(slackFailures(logs)[0]).to.include({ error: 'no answer within 200 ms', attempts: 2 });
    expectRemediationAndSnsIntact(report);
  });

  it('logs an unreachable webhook (a closed port) and carries on', async () => {
    const port = await WebhookServer.closedPort();
    const { handler, logs } = deployed(`http://127.0.0.1:${port}/services/T0000/B0000/secret-token`);

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    const failure = slackFailures(logs)[0];
    expect(failure).to.include({ attempts: 2 });
    expect(failure?.error).to.contain('ECONNREFUSED');
    expectRemediationAndSnsIntact(report);
  });

  it('refuses a plain-http webhook off loopback and never logs the URL', async () => {
    const { handler, logs } = deployed('http://hooks.slack.example/services/T0000/B0000/secret-token');

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(slackFailures(logs)[0]?.error).to.equal(
      `webhook URL from SSM parameter ${PARAMETER}: the Slack webhook URL must use https (got http://hooks.slack.example)`,
    );
    expect(JSON.stringify(logs)).to.not.contain('secret-token');
    expectRemediationAndSnsIntact(report);
  });

  it('still posts to Slack when SNS fails, and still surfaces the SNS failure', async () => {
    sns.on(PublishCommand).rejects(awsError('InternalError', 'server', 500));
    const { handler } = deployed(server.url);

    let caught: unknown;
    try {
      await handler(envelope(fixture(SSH_WORLD)));
    } catch (error) {
      caught = error;
    }

    expect(caught).to.be.instanceOf(NotificationError);
    expect(server.posts).to.have.length(1);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(1);
  });
});
