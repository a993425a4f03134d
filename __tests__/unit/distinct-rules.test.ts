/**
 * The bound on rules per event counts distinct rules. A call's request and its response name
 * the same rules twice (the request's permissions, the response's created rules); adding the
 * two together refused a legitimate 1,001-rule call and left its world-open rule in place.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { parseEvent } from '../../function/core/event/parse-event';
import { changeOf, engineContext } from '../engine/support';
import { clone, envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

// Real console sample: tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4, with the created rule's id.
const CONSOLE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

function ruleId(i: number): string {
  return `sgr-${i.toString(16).padStart(17, '0')}`;
}

/**
 * The real record as one call of 500 private IPv4 ranges, 500 private IPv6 ranges and the
 * world, with the 1,001 rules EC2 answers having created.
 */
function thousandAndOneRuleCall(): Record<string, any> {
  const record = fixture(CONSOLE);
  const v4 = Array.from({ length: 500 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.0/24`);
  const v6 = Array.from({ length: 500 }, (_, i) => `fd00:0:0:${i.toString(16)}::/64`);
  const permission = record.requestParameters.ipPermissions.items[0];
  permission.ipRanges.items = [...v4, '0.0.0.0/0'].map((cidrIp) => ({ cidrIp }));
  permission.ipv6Ranges = { items: v6.map((cidrIpv6) => ({ cidrIpv6 })) };
  const template = record.responseElements.securityGroupRuleSet.items[0];
  const created = [...[...v4, '0.0.0.0/0'].map((cidr) => ({ cidrIpv4: cidr })), ...v6.map((cidr) => ({ cidrIpv6: cidr }))].map(
    (source, i) => {
      const item = clone(template);
      delete item.cidrIpv4;
      return { ...item, ...source, securityGroupRuleId: ruleId(i) };
    },
  );
  record.responseElements.securityGroupRuleSet.items = created;
  return record;
}

describe('rules per event are counted once each', () => {
  it('reads a 1,001-rule call (500 IPv4, 500 IPv6, one world) as 1,001 rules, each with its created id', () => {
    // Prepare
    const event = envelope(thousandAndOneRuleCall());

    // Act
    const parsed = parseEvent(event);

    // Assess
    if (parsed.kind !== 'change') throw new Error(`expected a change, got ${parsed.kind}`);
    expect(parsed.change.rules).to.have.length(1001);
    expect(parsed.change.rules.every((r) => r.ruleId !== undefined)).to.equal(true);
    expect(new Set(parsed.change.rules.map((r) => r.ruleId)).size).to.equal(1001);
  });

  it('judges that call and revokes only its world rule', async () => {
    // Prepare
    const record = thousandAndOneRuleCall();
    const change = changeOf(CONSOLE, (detail) => Object.assign(detail, record));
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0632fa4ee8a8468a4' });
    for (const rule of change.rules) ec2.addRule({ ...rule, groupId: 'sg-0632fa4ee8a8468a4' });
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings).to.have.length(1001);
    expect(report.findings.filter((f) => f.verdict === 'violation').map((f) => `${f.source} ${f.action}`)).to.deep.equal([
      '0.0.0.0/0 revoked',
    ]);
    expect(ec2.rules()).to.have.length(1000);
  });

  it('counts the same permission repeated 3,000 times as the one rule it is', () => {
    // Prepare
    const record = fixture(CONSOLE);
    const item = record.requestParameters.ipPermissions.items[0];
    record.requestParameters.ipPermissions.items = Array.from({ length: 3000 }, () => clone(item));

    // Act
    const parsed = parseEvent(envelope(record));

    // Assess
    if (parsed.kind !== 'change') throw new Error(`expected a change, got ${parsed.kind}`);
    expect(parsed.change.rules.map((r) => r.ruleId)).to.deep.equal(['sgr-09be5c962afdc06ed']);
  });

  it('still refuses to read a call that expands to more distinct rules than two full groups hold', () => {
    // Prepare
    const record = fixture(CONSOLE);
    const item = record.requestParameters.ipPermissions.items[0];
    // Three permissions of 700 ranges each: a permission holds at most 1,000.
    record.requestParameters.ipPermissions.items = [0, 1, 2].map((p) => ({
      ...clone(item),
      ipRanges: { items: Array.from({ length: 700 }, (_, i) => ({ cidrIp: `10.${p}.${i % 250}.${Math.floor(i / 250) * 16}/28` })) },
    }));

    // Act
    const parsed = parseEvent(envelope(record));

    // Assess: judged from the group's current rules instead (unreadable)
    if (parsed.kind !== 'unreadable') throw new Error(`expected unreadable, got ${parsed.kind}`);
    expect(parsed.unreadable.problems.join(' ')).to.match(/more than 2000 rules/);
    expect(parsed.unreadable.groupIds).to.deep.equal(['sg-0632fa4ee8a8468a4']);
  });
});
