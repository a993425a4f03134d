/**
 * The chat topic through the real adapters (SNS and EC2 stubbed with aws-sdk-client-mock): the
 * handler publishes the email/JSON message to the main topic and the custom notification to
 * the chat topic, and a chat topic that fails does not fail the event.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import type { EventReport } from '../../function/core/report/report';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { awsError } from '../helpers/aws-errors';
import { envelope, fixture } from '../helpers/fixtures';
import { CustomNotificationSchema } from './custom-notification.schema';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sg-sentry';
const CHAT_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sg-sentry-chat';
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

function setup(env: Record<string, string>) {
  const logs: Record<string, unknown>[] = [];
  const ctx = contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC, ...env }, { log: (line) => logs.push({ ...line }) });
  return { handler: createHandler(ctx), logs };
}

describe('the chat topic (SENTRY_CHAT_TOPIC_ARN)', () => {
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('publishes the email to the main topic first, then the custom notification, as plain JSON, to the chat topic', async () => {
    // Prepare
    const { handler } = setup({ SENTRY_CHAT_TOPIC_ARN: CHAT_TOPIC });

    // Act
    await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));

    // Assess
    const calls = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.TopicArn)).to.deep.equal([TOPIC, CHAT_TOPIC]);
    const chat = calls[1]!;
    expect(chat).to.not.have.property('MessageStructure');
    expect(chat).to.not.have.property('Subject');
    const message = JSON.parse(chat.Message as string);
    expect(CustomNotificationSchema.safeParse(message).success).to.equal(true);
    expect(message.metadata.threadId).to.equal('sg-0632fa4ee8a8468a4');
  });

  it('logs a chat topic that fails and still finishes the event', async () => {
    sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).rejects(awsError('AuthorizationErrorException', 'client', 403));
    const { handler, logs } = setup({ SENTRY_CHAT_TOPIC_ARN: CHAT_TOPIC });

    const report = (await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')))) as EventReport;

    expect(report.findings.map((f) => f.action)).to.deep.equal(['revoked']);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal(['best-effort notification failed']);
  });
});
