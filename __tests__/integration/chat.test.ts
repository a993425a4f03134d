/**
 * The chat topic through the built bundle against an AWS-compatible API: what a subscriber of
 * the chat topic receives (read back through an SQS subscription) is one custom notification in
 * the documented format, next to the usual notification on the main topic.
 */
import { expect } from 'chai';
import { CustomNotificationSchema } from '../chat/custom-notification.schema';
import { fixture } from '../helpers/fixtures';
import { replayAuthorize } from './support/events';
import { integrationSuite } from './support/suite';

// Real console sample: tcp/22 from 0.0.0.0/0, with the rule ids of its securityGroupRuleSet.
const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

integrationSuite('the chat topic (Amazon Q Developer in chat applications), end to end', (emulator) => {
  it('delivers one custom notification, threaded by the group, to the chat topic and the usual message to the main topic', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('web');
    const { event } = await replayAuthorize(account, fixture(SSH_WORLD), group);
    const main = await account.inbox('sg-sentry-alerts');
    const chat = await account.inbox('sg-sentry-chat');

    // Act
    const run = await account.runHandler(event, { SENTRY_TOPIC_ARN: main.topicArn, SENTRY_CHAT_TOPIC_ARN: chat.topicArn });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    const [mainMessages, chatMessages] = [await main.drain(), await chat.drain()];
    expect(mainMessages).to.have.length(1);
    expect(chatMessages).to.have.length(1);
    const notification = JSON.parse(chatMessages[0]!.message);
    expect(CustomNotificationSchema.safeParse(notification).error?.issues ?? []).to.deep.equal([]);
    expect(notification.metadata.threadId).to.equal(group);
    expect(notification.content.title).to.equal(`sg-sentry: revoked tcp/22 from 0.0.0.0/0 on ${group} (web)`);
    expect(notification.metadata.summary).to.equal(mainMessages[0]!.subject);
  });
});
