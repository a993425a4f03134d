/**
 * The chat message (Amazon Q Developer in chat applications' custom notification) of a real
 * event and of a sweep summary: valid against the documented fields, within sg-sentry's bounds,
 * and with everything that came from the event inert.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { notificationOf } from '../../function/core/report/event-notification';
import { CHAT_LIMITS, chatNotificationOf, type ChatNotification } from '../../function/core/report/chat-message';
import { processSweep } from '../../function/core/sweep';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { accountAfter, changeOf, engineContext } from '../engine/support';
import { CustomNotificationSchema } from './custom-notification.schema';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const GROUP = 'sg-0632fa4ee8a8468a4';

async function messageOf(groupName?: string, edit?: (record: Record<string, any>) => void): Promise<ChatNotification> {
  const change = changeOf(SSH_WORLD, edit);
  const { ctx, notifier } = engineContext(
    groupName !== undefined ? { exclude_tags: { 'sg-sentry': 'off' } } : {},
    accountAfter(change, groupName !== undefined ? { groupName } : {}),
  );
  await processChange(change, ctx);
  return chatNotificationOf(notifier.published[0]!);
}

function withinBounds(m: ChatNotification): void {
  expect(m.content.title.length).to.be.at.most(CHAT_LIMITS.title);
  expect(m.content.description.length).to.be.at.most(CHAT_LIMITS.description);
  expect(m.content.nextSteps.length).to.be.at.most(CHAT_LIMITS.nextSteps);
  for (const step of m.content.nextSteps) expect(step.length).to.be.at.most(CHAT_LIMITS.nextStep);
  expect(m.metadata.summary.length).to.be.at.most(CHAT_LIMITS.summary);
  expect(m.metadata.threadId.length).to.be.at.most(CHAT_LIMITS.threadId);
  expect(Buffer.byteLength(JSON.stringify(m), 'utf8')).to.be.below(256 * 1024);
}

describe('chat message (custom notification for Slack and Microsoft Teams)', () => {
  it('says what was revoked, by whom and where, threaded by the group, in the documented format', async () => {
    // Act
    const message = await messageOf();

    // Assess
    expect(CustomNotificationSchema.safeParse(message).error?.issues ?? []).to.deep.equal([]);
    expect(message).to.deep.include({ version: '1.0', source: 'custom', id: '2aae5c69-4eaf-490d-b022-fd622c12a717' });
    expect(message.content.textType).to.equal('client-markdown');
    expect(message.content.title).to.equal(`sg-sentry: revoked tcp/22 from 0.0.0.0/0 on ${GROUP}`);
    expect(message.content.description).to.contain('- ingress `tcp/22` from `0.0.0.0/0`: violation, revoked.');
    expect(message.content.description).to.contain('Who: `arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia`');
    expect(message.metadata.threadId).to.equal(GROUP);
    expect(message.metadata.relatedResources).to.deep.equal([`arn:aws:ec2:us-east-1:776520358045:security-group/${GROUP}`]);
    expect(message.content.nextSteps.find((step) => step.startsWith('If it was legitimate'))).to.contain(
      `re-create it: \`aws ec2 authorize-security-group-ingress --region us-east-1 --group-id ${GROUP} --ip-permissions '`,
    );
    expect(message.content.nextSteps.at(-1)).to.equal(
      `Open the group: https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=${GROUP}`,
    );
    withinBounds(message);
  });

  it('keeps event text inert: no mention, link, code break-out, bidi trick or live URL', async () => {
    // Prepare: a group name and user agent written to attack the chat.
    const message = await messageOf('prod`<!channel> **urgent** <https://evil.example|click>\u202e', (r) => {
      r.userAgent = 'curl <@U123> https://evil.example/x `rm -rf`';
    });

    // Assess
    const all = JSON.stringify(message);
    expect(all).to.not.match(/<!channel>|<@U123>|<https:/);
    expect(all).to.not.contain('https://evil.example');
    expect(all).to.contain('hxxps://evil[.]example');
    expect(all).to.not.contain('\u202e');
    // Every backtick left opens or closes one of sg-sentry's own code spans.
    for (const line of message.content.description.split('\n')) expect((line.match(/`/g) ?? []).length % 2, line).to.equal(0);
    expect(message.content.title).to.not.match(/[*`<>]/);
    expect(CustomNotificationSchema.safeParse(message).success).to.equal(true);
  });

  it('stays within its bounds for a call with many rules and a huge description', async () => {
    const message = await messageOf(`x${'y'.repeat(5000)}`, (r) => {
      const item = r.requestParameters.ipPermissions.items[0];
      r.requestParameters.ipPermissions.items = Array.from({ length: 80 }, (_, i) => ({ ...item, fromPort: 1000 + i, toPort: 1000 + i }));
      delete r.responseElements.securityGroupRuleSet;
    });

    withinBounds(message);
    expect(message.content.description).to.contain('… and 70 more');
    expect(CustomNotificationSchema.safeParse(message).success).to.equal(true);
  });

  it('posts a sweep summary as its subject and a literal block of its text', async () => {
    // Prepare: one world-open SSH rule for the sweep to revoke.
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0aaa', groupName: 'web' });
    ec2.addRule({
      direction: 'ingress',
      groupId: 'sg-0aaa',
      ruleId: 'sgr-0aaa',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
    const { ctx, notifier } = engineContext({}, ec2);
    await processSweep({ eventId: 'sweep-1', account: '123456789012', region: 'eu-west-1' }, ctx);

    // Act
    const message = chatNotificationOf(notifier.published[0]!);

    // Assess
    expect(CustomNotificationSchema.safeParse(message).error?.issues ?? []).to.deep.equal([]);
    expect(message.content.title).to.equal(notifier.published[0]!.subject);
    expect(message.content.description).to.match(/^```\n[\s\S]*sg-0aaa[\s\S]*\n```$/);
    expect(message.metadata.eventType).to.equal('sg-sentry-summary');
    withinBounds(message);
  });

  it('is what the email says about the event: the same subject as its summary', async () => {
    const change = changeOf(SSH_WORLD);
    const { ctx, notifier } = engineContext({}, accountAfter(change));
    const { report } = await processChange(change, ctx);

    expect(chatNotificationOf(notifier.published[0]!).metadata.summary).to.equal(notificationOf(report).subject);
  });
});
