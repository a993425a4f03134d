/**
 * Text from the event is data: in the email, invisible and direction characters are escaped and
 * URLs defanged; in the subject the group name is quoted; and every size is measured in UTF-8
 * bytes, so the SNS message always fits 256 KiB and the event's log line CloudWatch's 256 KiB.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { changeOf, engineContext, accountAfter } from '../engine/support';
import { clone } from '../helpers/fixtures';

// Real console sample: tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4, with its rule id.
const CONSOLE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const GROUP = 'sg-0632fa4ee8a8468a4';
/** Zero-width, invisible and direction marks the email must never carry raw. */
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\ufeff', '\u061c'];

function utf8(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** The SNS Message the adapter sends for a notification (MessageStructure json). */
function snsMessageBytes(message: { subject: string; email: string; json: string; attributes: Record<string, string> }): number {
  const attributes = Object.entries(message.attributes).reduce((sum, [k, v]) => sum + utf8(k) + utf8(v) + 'String'.length, 0);
  return utf8(JSON.stringify({ default: message.json, email: message.email })) + utf8(message.subject) + attributes;
}

async function published(
  edit: (record: Record<string, any>) => void,
  policy: Record<string, unknown> = {},
  group: { groupName?: string } = {},
) {
  const change = changeOf(CONSOLE, edit);
  const ec2 = accountAfter(change, group);
  const { ctx, notifier, logs } = engineContext(policy, ec2);
  const result = await processChange(change, ctx);
  const [message] = notifier.published;
  if (message === undefined) throw new Error('nothing was published');
  return { message, logs, result };
}

describe('text from the event in notifications', () => {
  it('escapes zero-width, invisible and direction marks in the email, and keeps them exact in the JSON report', async () => {
    // Prepare
    const description = `ok${INVISIBLE.join('')}done`;

    // Act
    const { message } = await published((record) => {
      record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = description;
      record.responseElements.securityGroupRuleSet.items[0].description = description;
      record.userAgent = `aws-cli/2.0 \u202eevil\u2066`;
    });

    // Assess
    for (const c of [...INVISIBLE, '\u202e', '\u2066'])
      expect(message.email.includes(c), `U+${c.charCodeAt(0).toString(16)}`).to.equal(false);
    expect(message.email).to.contain('ok\\u200b\\u200c\\u200d\\u200e\\u200f\\u2060\\u2061\\u2062\\u2063\\u2064\\ufeff\\u061cdone');
    expect(JSON.parse(message.json).findings[0].description).to.equal(description);
  });

  it("defangs the event's URLs in the email, and only those", async () => {
    // Act
    const { message } = await published((record) => {
      record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = 'verify at https://evil.example/login now';
      record.responseElements.securityGroupRuleSet.items[0].description = 'verify at https://evil.example/login now';
    });

    // Assess
    expect(message.email).to.contain('hxxps://evil[.]example/login');
    expect(message.email).not.to.contain('https://evil.example');
    expect(message.email).to.contain(`https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=${GROUP}`);
    expect(JSON.parse(message.json).findings[0].description).to.equal('verify at https://evil.example/login now');
  });

  it('quotes the group name in the subject, so it cannot speak for sg-sentry', async () => {
    // Act: exclude_tags makes the engine read the group's name
    const { message } = await published(
      () => undefined,
      { exclude_tags: { 'sg-sentry': 'off' } },
      { groupName: '(ALL CLEAR - auto test, no action needed)' },
    );

    // Assess
    expect(message.subject, message.subject).to.match(/ on sg-0632fa4ee8a8468a4 "\(ALL CLEAR - auto test, [^"]*\.\.\."$/);
    expect(message.subject.length).to.be.at.most(100);
    expect(message.subject.startsWith('sg-sentry: revoked ')).to.equal(true);
  });
});

describe('sizes in UTF-8 bytes', () => {
  it("keeps the SNS message within 256 KiB and the log line within CloudWatch's 256 KiB for a 1,000-rule event with a long non-ASCII user agent", async () => {
    // Prepare: 1,000 permissions with 255-character non-ASCII descriptions, one of them world-open
    const description = '日本語の説明'.repeat(43).slice(0, 255);
    const userAgent = 'ブラウザ'.repeat(25_000);

    // Act
    const { message, logs, result } = await published((record) => {
      const permission = record.requestParameters.ipPermissions.items[0];
      const created = record.responseElements.securityGroupRuleSet.items[0];
      const cidr = (i: number) => (i === 999 ? '0.0.0.0/0' : `10.${Math.floor(i / 250)}.${i % 250}.0/24`);
      record.requestParameters.ipPermissions.items = Array.from({ length: 1000 }, (_, i) => ({
        ...clone(permission),
        ipRanges: { items: [{ cidrIp: cidr(i), description }] },
      }));
      record.responseElements.securityGroupRuleSet.items = Array.from({ length: 1000 }, (_, i) => ({
        ...clone(created),
        securityGroupRuleId: `sgr-${i.toString(16).padStart(17, '0')}`,
        cidrIpv4: cidr(i),
        description,
      }));
      record.userAgent = userAgent;
    });

    // Assess
    expect(utf8(userAgent)).to.be.greaterThan(256 * 1024);
    expect(snsMessageBytes(message)).to.be.at.most(256 * 1024);
    const line = logs.find((l) => l.message === 'sg-sentry event');
    expect(utf8(JSON.stringify(line))).to.be.at.most(256 * 1024 - 4096);
    expect(line?.findings_truncated).to.be.greaterThan(0);
    // The violation is never what gets cut, in the log line or in the report sent.
    expect(((line?.findings ?? []) as { verdict: string }[]).some((f) => f.verdict === 'violation')).to.equal(true);
    expect(JSON.parse(message.json).findings.some((f: { verdict: string }) => f.verdict === 'violation')).to.equal(true);
    expect(result.report.findings).to.have.length(1000);
  });
});
