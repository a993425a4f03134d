/**
 * One rule reads the same wherever sg-sentry writes it: in the judge's reason, the email (and
 * its subject), Slack and the CLI. Each row starts from a real console event and changes the
 * rule it opened.
 */
import { expect } from 'chai';
import { findingLine } from '../../cli/format';
import { processChange } from '../../function/core/engine';
import { parseEvent } from '../../function/core/event/parse-event';
import type { Rule, RuleSource } from '../../function/core/model/rule';
import { parsePolicy } from '../../function/core/policy/policy';
import { emailOf, subjectOf } from '../../function/core/report/event-notification';
import { slackMessageOf } from '../../function/core/report/slack-message';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

const ipv4 = (cidr: string): RuleSource => ({ kind: 'cidr', cidr, family: 'ipv4' });

const ROWS: ReadonlyArray<{ shape: string; rule: Partial<Rule>; text: string }> = [
  { shape: 'tcp, one port', rule: { protocol: 'tcp', fromPort: 22, toPort: 22 }, text: 'tcp/22 from 0.0.0.0/0' },
  { shape: 'tcp, a port range', rule: { protocol: 'tcp', fromPort: 8000, toPort: 8080 }, text: 'tcp/8000-8080 from 0.0.0.0/0' },
  { shape: 'tcp, every port', rule: { protocol: 'tcp', fromPort: 0, toPort: 65535 }, text: 'tcp/0-65535 from 0.0.0.0/0' },
  { shape: 'udp, ports -1 (every port)', rule: { protocol: 'udp', fromPort: -1, toPort: -1 }, text: 'udp/0-65535 from 0.0.0.0/0' },
  { shape: 'icmp type and code', rule: { protocol: 'icmp', fromPort: 8, toPort: 0 }, text: 'icmp/8:0 from 0.0.0.0/0' },
  { shape: 'icmp, any type', rule: { protocol: 'icmp', fromPort: -1, toPort: -1 }, text: 'icmp/all from 0.0.0.0/0' },
  { shape: 'all traffic', rule: { protocol: '-1', fromPort: undefined, toPort: undefined }, text: 'all traffic from 0.0.0.0/0' },
  { shape: 'another protocol', rule: { protocol: '47', fromPort: undefined, toPort: undefined }, text: 'protocol 47 from 0.0.0.0/0' },
  { shape: 'IPv6', rule: { source: { kind: 'cidr', cidr: '::/0', family: 'ipv6' } }, text: 'tcp/22 from ::/0' },
  { shape: 'CIDR with host bits set', rule: { source: ipv4('208.236.235.254/0') }, text: 'tcp/22 from 208.236.235.254/0 (= 0.0.0.0/0)' },
  {
    shape: 'security group source',
    rule: { source: { kind: 'security_group', groupId: 'sg-0123456789abcdef0' } },
    text: 'tcp/22 from sg-0123456789abcdef0',
  },
  {
    shape: 'prefix list source',
    rule: { protocol: 'tcp', fromPort: 5432, toPort: 5432, source: { kind: 'prefix_list', prefixListId: 'pl-02cd2c6b' } },
    text: 'tcp/5432 from pl-02cd2c6b',
  },
  { shape: 'egress', rule: { direction: 'egress', protocol: 'udp', fromPort: 53, toPort: 53 }, text: 'udp/53 to 0.0.0.0/0' },
];

/** Nothing is allowed, so every rule is a violation whose reason names it; nothing is changed. */
const DENY_ALL = parsePolicy({ mode: 'report', ingress: { allow: [] }, egress: { allow: [] } });

describe('rule text', () => {
  for (const { shape, rule, text } of ROWS) {
    it(`is the same in the reason, the email, Slack and the CLI: ${shape}`, async () => {
      // Prepare: the real tcp/22 from 0.0.0.0/0 console event, its one rule changed.
      const parsed = parseEvent(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));
      if (parsed.kind !== 'change') throw new Error('the fixture is a change');
      const [real] = parsed.change.rules;
      const change = { ...parsed.change, rules: [{ ...(real as Rule), ...rule }] };
      const ec2 = new InMemoryEc2().addGroup({ groupId: change.groupId ?? '' });

      // Act
      const { report, findings } = await processChange(change, {
        policy: DENY_ALL,
        portsFor: () => ({ ec2 }),
        log: () => {},
        now: () => new Date(0),
      });

      // Assess
      const [finding] = report.findings;
      if (finding === undefined) throw new Error('no finding');
      const direction = rule.direction ?? 'ingress';
      const slack = slackMessageOf(report, subjectOf(report)).blocks.flatMap((b) =>
        b.type === 'section' ? [b.text.text.replace(/`/g, '')] : [],
      );
      expect(findings[0]?.verdictReason).to.equal(`${text} is not covered by any ${direction}.allow entry`);
      expect(finding.reason).to.equal(`would revoke: ${text} is not covered by any ${direction}.allow entry`);
      expect(emailOf(report)).to.contain(`\n1. ${direction} ${text}\n`);
      expect(subjectOf(report)).to.contain(` ${text} on `);
      expect(slack.join('\n')).to.contain(`*1.* ${direction} ${text}\n`);
      expect(slack[0]).to.contain(`: ${text} on `);
      expect(findingLine(finding)).to.contain(`  ${direction} ${text} (sgr-`);
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups']);
    });
  }
});
