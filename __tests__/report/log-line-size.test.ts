/**
 * Every path's one log line fits CloudWatch's 256 KiB (less Lambda's prefix), however many
 * rules a change reaches: a prefix-list change referenced by hundreds of rules, a tag change on
 * many groups, an Authorize that revokes hundreds of described rules. What does not fit is
 * counted (`findings_truncated`, `restore_truncated`, `groups_truncated`); the report the handler
 * returns keeps everything.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { parseEvent } from '../../function/core/event/parse-event';
import { processPrefixListChange } from '../../function/core/prefix-list-change';
import type { EventReport, TagChangeReport } from '../../function/core/report/report';
import { processTagChange } from '../../function/core/tag-change';
import { accountAfter, changeOf, engineContext } from '../engine/support';
import { clone, envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

const LOG_LINE_BYTES = 256 * 1024 - 4096;
const DESCRIPTION = 'description chosen by whoever made the change, '.repeat(6).slice(0, 255);

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function lineOf(logs: readonly Record<string, unknown>[], message: string): Record<string, any> {
  const line = logs.find((l) => l.message === message);
  if (line === undefined) throw new Error(`no "${message}" log line`);
  return line;
}

describe('the log line of every path, within CloudWatch’s size', () => {
  it('bounds a prefix-list change whose added entries open 400 referencing rules', async () => {
    // Prepare: the real ModifyManagedPrefixList; the list now holds four quarters of the internet, referenced by 400 SSH rules.
    const event = { ...envelope(fixture('modify-managed-prefix-list-add-entry-console-abridged')), account: '598274344262' };
    const parsed = parseEvent(event);
    if (parsed.kind !== 'prefix-list-change') throw new Error(parsed.kind);
    const list = parsed.change.prefixListId;
    const quarters = ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2'].map((cidr) => ({ cidr, description: DESCRIPTION }));
    const ec2 = new InMemoryEc2().addPrefixList({ prefixListId: list, name: 'office', ownerId: '598274344262', entries: quarters });
    for (let i = 0; i < 400; i++) {
      const groupId = `sg-${i.toString(16).padStart(17, '0')}`;
      ec2.addRule({
        direction: 'ingress',
        groupId,
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        source: { kind: 'prefix_list', prefixListId: list },
      });
    }
    const { ctx, logs } = engineContext({ exception_tag: null }, ec2);

    // Act
    const result = await processPrefixListChange(parsed.change, ctx);

    // Assess
    const report = result.report as EventReport;
    expect(report.findings).to.have.length(1600);
    const line = lineOf(logs, 'sg-sentry prefix list');
    expect(bytes(line)).to.be.at.most(LOG_LINE_BYTES);
    expect(line.findings_truncated).to.be.greaterThan(0);
    expect(line.findings.length + line.findings_truncated).to.equal(1600);
    expect(line.prefix_list.outcome).to.equal('removed');
  });

  it('bounds a tag change that ends the exception of 20 groups of 100 world-open rules each', async () => {
    // Prepare: the derived DeleteTags of the exception tag, on 20 groups.
    const groups = Array.from({ length: 20 }, (_, i) => `sg-${i.toString(16).padStart(17, 'a')}`);
    const event = envelope(fixture('derived/delete-tags-exception-from-create-security-group-terraform-tag-specification'));
    event.detail.requestParameters.resourcesSet.items = groups.map((resourceId) => ({ resourceId }));
    const parsed = parseEvent(event);
    if (parsed.kind !== 'tag-change') throw new Error(parsed.kind);
    const ec2 = new InMemoryEc2();
    for (const groupId of groups) {
      ec2.addGroup({ groupId, groupName: `web-${groupId}` });
      for (let port = 1000; port < 1100; port++) {
        ec2.addRule({
          direction: 'ingress',
          groupId,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
          description: DESCRIPTION,
        });
      }
    }
    const { ctx, logs } = engineContext({}, ec2);

    // Act
    const report = (await processTagChange(parsed.change, ctx)) as TagChangeReport;

    // Assess
    expect(report.groups.flatMap((g) => g.findings)).to.have.length(2000);
    expect(ec2.rules()).to.deep.equal([]);
    const line = lineOf(logs, 'sg-sentry tag change');
    expect(bytes(line)).to.be.at.most(LOG_LINE_BYTES);
    const logged = line.groups as Record<string, any>[];
    expect(logged.reduce((n, g) => n + g.findings.length + (g.findings_truncated ?? 0), 0) + 100 * (line.groups_truncated ?? 0)).to.equal(
      2000,
    );
  });

  it('bounds an Authorize that revokes 600 described rules, restore commands included', async () => {
    // Prepare: the real console sample, its one permission repeated with 600 world-open ports and long descriptions.
    const change = changeOf('authorize-ingress-ssh-world-rule-ids-console-assumedrole', (record) => {
      const permission = record.requestParameters.ipPermissions.items[0];
      const created = record.responseElements.securityGroupRuleSet.items[0];
      record.requestParameters.ipPermissions.items = Array.from({ length: 600 }, (_, i) => ({
        ...clone(permission),
        fromPort: 2000 + i,
        toPort: 2000 + i,
        ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: DESCRIPTION }] },
      }));
      record.responseElements.securityGroupRuleSet.items = Array.from({ length: 600 }, (_, i) => ({
        ...clone(created),
        securityGroupRuleId: `sgr-${i.toString(16).padStart(17, '0')}`,
        fromPort: 2000 + i,
        toPort: 2000 + i,
        description: DESCRIPTION,
      }));
    });
    const { ctx, logs } = engineContext({ exception_tag: null }, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.filter((f) => f.action === 'revoked')).to.have.length(600);
    const line = lineOf(logs, 'sg-sentry event');
    expect(bytes(line)).to.be.at.most(LOG_LINE_BYTES);
    expect(report.restore.length).to.be.greaterThan(0);
  });
});
