import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { EC2Client } from '@aws-sdk/client-ec2';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { subjectOf, emailOf } from '../../function/core/report/event-notification';
import type { EventReport } from '../../function/core/report/report';
import {
  BLOCK_LIMIT,
  SECTION_TEXT_LIMIT,
  slackMessageOf,
  slackMessageOfText,
  type SlackBlock,
} from '../../function/core/report/slack-message';
import { envelope, fixture } from '../helpers/fixtures';

const ec2 = mockClient(EC2Client);

async function reportOf(record: Record<string, any>, policy: Record<string, unknown> = {}): Promise<EventReport> {
  const ctx = contextFromEnvironment({ SENTRY_POLICY: JSON.stringify(policy) }, { log: () => undefined });
  return (await createHandler(ctx)(envelope(record))) as EventReport;
}

function texts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => e.text) : []));
}

describe('Slack message', () => {
  beforeEach(() => {
    ec2.reset();
    ec2.onAnyCommand().resolves({});
  });

  it('puts the verdict first and carries the facts of the email', async () => {
    // Prepare
    const report = await reportOf(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));

    // Act
    const message = slackMessageOf(report, subjectOf(report));

    // Assess
    const all = texts(message.blocks).join('\n');
    expect(texts(message.blocks)[0]).to.match(/^\*REVOKED\*: /);
    const email = emailOf(report);
    for (const fact of [
      'arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia',
      'arn:aws:iam::776520358045:role/voclabs',
      '112.119.155.35',
      '2025-06-15T10:51:12Z',
      '776520358045',
      'us-east-1',
      'sgr-09be5c962afdc06ed',
      '2aae5c69-4eaf-490d-b022-fd622c12a717',
      'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=sg-0632fa4ee8a8468a4',
    ]) {
      expect(email).to.contain(fact);
      expect(all).to.contain(fact);
    }
    expect(all).to.contain('verdict: *violation*, action: *revoked*');
  });

  it('shows event text as inert data: no formatting, no mention, no link', async () => {
    // Prepare: a user agent is whatever the caller sent.
    const record = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
    record.userAgent = '*bold* _it_ ~gone~ `code` <!channel> <@U012AB3CD> & <https://evil.example|click>';
    const report = await reportOf(record);

    // Act
    const message = slackMessageOf(report, subjectOf(report));

    // Assess
    const all = texts(message.blocks).join('\n');
    expect(all).to.contain(
      'user agent: `*bold* _it_ ~gone~ ˋcodeˋ &lt;!channel&gt; &lt;@U012AB3CD&gt; &amp; &lt;https://evil.example|click&gt;`',
    );
    expect(all).to.not.match(/<[!@#]/);
    expect(all).to.not.contain('<https://evil');
  });

  it('escapes the preview text and turns its formatting characters into look-alikes', () => {
    const report = { subject: 'sg-sentry: revoked tcp/22 from 0.0.0.0/0 on sg-1 (*prod* <!here> & _x_)' };

    const message = slackMessageOfText(report.subject, 'body');

    expect(message.text).to.equal('sg-sentry: revoked tcp/22 from 0.0.0.0/0 on sg-1 (∗prod∗ &lt;!here&gt; &amp; ˍxˍ)');
  });

  it('stays within 50 blocks and 3000 characters per section, however large the event', async () => {
    // Prepare: many findings, and text that grows fivefold when escaped.
    const report = await reportOf(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));
    const finding = report.findings[0]!;
    const huge: EventReport = {
      ...report,
      principal_details: { ...report.principal_details, user_agent: '&'.repeat(5000), arn: '<'.repeat(5000), issuer_arn: '>'.repeat(5000) },
      findings: Array.from({ length: 300 }, (_, i) => ({
        ...finding,
        rule_id: `sgr-${i}`,
        description: '&'.repeat(400),
        reason: '<'.repeat(1000),
      })),
    };

    // Act
    const message = slackMessageOf(huge, subjectOf(huge));

    // Assess
    expect(message.blocks.length).to.be.at.most(BLOCK_LIMIT);
    for (const text of texts(message.blocks)) expect(text.length).to.be.at.most(SECTION_TEXT_LIMIT);
    expect(texts(message.blocks).at(-2)).to.equal('… and 260 more rules in the JSON report');
  });

  it('turns a message without an event report into preformatted sections within the limits', () => {
    const body = Array.from({ length: 2000 }, (_, i) => `line ${i} <!channel> \`\`\` & more`).join('\n');

    const message = slackMessageOfText('sg-sentry: sweep found 3 violations', body);

    expect(message.blocks.length).to.be.at.most(BLOCK_LIMIT);
    for (const text of texts(message.blocks)) expect(text.length).to.be.at.most(SECTION_TEXT_LIMIT);
    expect(texts(message.blocks)[1]).to.match(/^```line 0 &lt;!channel&gt; ˋˋˋ &amp; more\n/);
  });
});
