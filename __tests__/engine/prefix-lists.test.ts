/**
 * Managed prefix lists at the ports: rules that reference a list are judged by the list's
 * entries, and a change of a list removes exactly the entries that open a watched rule.
 * Events: the real abridged console ModifyManagedPrefixList sample (no eventID), the derived
 * RestoreManagedPrefixListVersion, and the derived Authorize with a prefix-list source.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { Ec2CallError, RetryableRemediationError } from '../../function/core/errors';
import type { PrefixListChange } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import type { ExemptionRecord } from '../../function/core/model/exemption-record';
import type { PrefixListEntry } from '../../function/core/model/prefix-list';
import type { Rule } from '../../function/core/model/rule';
import { ruleKey } from '../../function/core/model/rule-key';
import type { RemovePrefixListEntriesRequest } from '../../function/core/ports';
import { processPrefixListChange } from '../../function/core/prefix-list-change';
import type { MetricsRecord } from '../../function/core/report/metrics';
import type { EventReport } from '../../function/core/report/report';
import type { PrefixListRestore } from '../../function/core/report/restore';
import { processSweep } from '../../function/core/sweep';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2, notFound, throttled } from '../helpers/in-memory-ec2';
import { InMemoryNotifyOnce } from '../helpers/in-memory-notify-once';
import { InMemoryState } from '../helpers/in-memory-state';
import { accountAfter, changeOf, engineContext } from './support';

const PL_SOURCE = 'derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole';
const MODIFY_LIST = 'modify-managed-prefix-list-add-entry-console-abridged';
const RESTORE_LIST = 'derived/restore-prefix-list-version-from-modify-managed-prefix-list-add-entry-console-abridged';
/** The list of the derived Authorize sample. */
const AUTHORIZE_LIST = 'pl-0a1b2c3d4e5f60718';
/** The list and the entry of the real ModifyManagedPrefixList sample. */
const LIST = 'pl-0c3516b0e5630bf3e';
const ADDED: PrefixListEntry = { cidr: '71.131.0.0/16', description: 'My IP Range' };
const OFFICE: PrefixListEntry = { cidr: '10.20.0.0/16', description: 'office VPN' };
const WEB = 'sg-0aaaaaaaaaaaaaaa1';
const SSH = 'sg-0bbbbbbbbbbbbbbb2';

function listChangeOf(name: string, edit?: (record: Record<string, any>) => void): PrefixListChange {
  // The abridged sample has no recipientAccountId: its account is in the envelope EventBridge adds.
  const event: Record<string, any> = { ...envelope(fixture(name)), account: '598274344262' };
  edit?.(event.detail);
  const parsed = parseEvent(event);
  if (parsed.kind !== 'prefix-list-change') throw new Error(`${name} is not a prefix-list change: ${parsed.kind}`);
  return parsed.change;
}

/** The sample's account after its call: the list holds the office range and the added one. */
function accountWithList(entries: readonly PrefixListEntry[] = [OFFICE, ADDED]): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addPrefixList({ prefixListId: LIST, name: 'admin-ranges', ownerId: '598274344262', entries: [OFFICE] });
  ec2.editPrefixList(LIST, {
    add: entries.filter((e) => e.cidr !== OFFICE.cidr),
    remove: entries.some((e) => e.cidr === OFFICE.cidr) ? [] : [OFFICE.cidr],
  });
  return ec2;
}

function referenceOn(ec2: InMemoryEc2, groupId: string, port: number, direction: 'ingress' | 'egress' = 'ingress') {
  return ec2.addRule({
    direction,
    groupId,
    protocol: 'tcp',
    fromPort: port,
    toPort: port,
    source: { kind: 'prefix_list', prefixListId: LIST },
  });
}

function listRestores(report: EventReport): PrefixListRestore[] {
  return report.restore.filter((r): r is PrefixListRestore => 'prefix_list_id' in r);
}

describe('prefix lists, at the ports', () => {
  describe('a rule that references a list', () => {
    it('revokes a rule whose customer-managed list holds a world entry, naming the entry', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({
        prefixListId: AUTHORIZE_LIST,
        name: 'office',
        entries: [OFFICE, { cidr: '0.0.0.0/0' }],
      });
      const { ctx } = engineContext({ exception_tag: null }, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings.map((f) => [f.verdict, f.action])).to.deep.equal([['violation', 'revoked']]);
      expect(report.findings[0]?.reason).to.equal(
        `tcp/5432 from ${AUTHORIZE_LIST}: customer-managed prefix list ${AUTHORIZE_LIST} (office) holds an entry not covered by any ingress.allow entry: 0.0.0.0/0`,
      );
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists', 'prefixListEntries', 'revokePermissions']);
      expect(ec2.callsOf('prefixListEntries')).to.deep.equal([{ prefixListId: AUTHORIZE_LIST, version: 1 }]);
    });

    it('allows a rule whose customer-managed list holds only allowed entries', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({ prefixListId: AUTHORIZE_LIST, name: 'office', entries: [OFFICE] });
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings[0]?.reason).to.match(
        /^allowed by ingress\.allow\[6\] \(any prefix list, all\): every entry of customer-managed prefix list pl-0a1b2c3d4e5f60718 \(office\) is allowed \(1\)$/,
      );
      expect(ec2.rules()).to.have.length(1);
      expect(notifier.published).to.deep.equal([]);
    });

    it('trusts an AWS-managed list without reading its entries', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({
        prefixListId: AUTHORIZE_LIST,
        name: 'com.amazonaws.us-east-1.s3',
        ownerId: 'AWS',
        entries: [{ cidr: '0.0.0.0/0' }],
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.verdict).to.equal('allowed');
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists']);
    });

    it('judges by its entries a list an account owns, even when its name spells an AWS-managed one', async () => {
      // Prepare
      // AWS refuses such a name, but not every EC2-compatible API does: the owner decides.
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({
        prefixListId: AUTHORIZE_LIST,
        name: 'com.amazonaws.us-east-1.s3',
        ownerId: '111122223333',
        entries: [{ cidr: '0.0.0.0/0' }],
      });
      const { ctx } = engineContext({ exception_tag: null }, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings.map((f) => [f.verdict, f.action])).to.deep.equal([['violation', 'revoked']]);
      expect(report.findings[0]?.reason).to.contain('customer-managed prefix list pl-0a1b2c3d4e5f60718 (com.amazonaws.us-east-1.s3)');
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists', 'prefixListEntries', 'revokePermissions']);
    });

    it('trusts a list without an owner by its AWS-managed name, as an API that leaves the owner out describes it', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({
        prefixListId: AUTHORIZE_LIST,
        name: 'com.amazonaws.us-east-1.s3',
        ownerId: null,
        entries: [{ cidr: '0.0.0.0/0' }],
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.verdict).to.equal('allowed');
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists']);
    });

    it('trusts a list that an entry names by id, whatever it holds, without reading it', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({ prefixListId: AUTHORIZE_LIST, entries: [{ cidr: '0.0.0.0/0' }] });
      const { ctx } = engineContext({ ingress: { allow: [{ prefix_list: AUTHORIZE_LIST, protocol: 'tcp', ports: [5432] }] } }, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.verdict).to.equal('allowed');
      expect(ec2.calls).to.deep.equal([]);
    });

    it('trusts every list by reference with inspect_prefix_lists false', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change).addPrefixList({ prefixListId: AUTHORIZE_LIST, entries: [{ cidr: '0.0.0.0/0' }] });
      const { ctx } = engineContext({ inspect_prefix_lists: false }, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.verdict).to.equal('allowed');
      expect(ec2.calls).to.deep.equal([]);
    });

    it('revokes a rule whose list no longer exists, saying it could not be evaluated', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const { ctx } = engineContext({ exception_tag: null }, accountAfter(change));

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
      expect(report.findings[0]?.reason).to.contain(
        `cannot be evaluated: prefix list ${AUTHORIZE_LIST} could not be read (it does not exist)`,
      );
    });

    it('fails retryably, revoking nothing, when the list cannot be read for now', async () => {
      // Prepare
      const change = changeOf(PL_SOURCE);
      const ec2 = accountAfter(change)
        .addPrefixList({ prefixListId: AUTHORIZE_LIST, entries: [{ cidr: '0.0.0.0/0' }] })
        .failOn('prefixListEntries', throttled());
      const { ctx } = engineContext({}, ec2);

      // Act
      const error = await processChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.rules()).to.have.length(1);
    });

    it('names the first entries that offend, IPv6 ones too, and counts the rest', async () => {
      // Prepare: the derived sample's rule opened to all traffic, its list holding six world entries.
      const change = changeOf(PL_SOURCE, (record) => {
        Object.assign(record.requestParameters.ipPermissions.items[0], { ipProtocol: '-1', fromPort: undefined, toPort: undefined });
        Object.assign(record.responseElements.securityGroupRuleSet.items[0], { ipProtocol: '-1', fromPort: -1, toPort: -1 });
      });
      const world = ['0.0.0.0/1', '128.0.0.0/1', '::/0', '2001:db8::/32', '198.51.100.0/24', '203.0.113.0/24'].map((cidr) => ({ cidr }));
      const ec2 = accountAfter(change).addPrefixList({ prefixListId: AUTHORIZE_LIST, entries: [OFFICE, ...world] });
      const { ctx } = engineContext({ exception_tag: null }, ec2);

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings[0]?.reason).to.equal(
        `all traffic from ${AUTHORIZE_LIST}: customer-managed prefix list ${AUTHORIZE_LIST} holds 6 entries not covered by any ingress.allow entry: 0.0.0.0/1, 128.0.0.0/1, ::/0, 2001:db8::/32, 198.51.100.0/24 (+1 more)`,
      );
    });

    it('judges an egress rule that references a list against the egress allowlist', async () => {
      // Prepare: egress allowed only to private ranges and any list whose entries are allowed.
      const ec2 = accountWithList([OFFICE, { cidr: '0.0.0.0/0' }]);
      referenceOn(ec2, SSH, 443, 'egress');
      const { ctx } = engineContext({ egress: { allow: [{ cidr: '10.0.0.0/8' }, { prefix_list: '*' }] } }, ec2);

      // Act
      const report = await processSweep({ eventId: 'sweep-1', account: '598274344262', region: 'us-west-2' }, ctx);

      // Assess
      expect(report.counts).to.include({ rules: 1, violations: 1, revoked: 1 });
      expect(ec2.rules()).to.deep.equal([]);
    });

    it('judges the same list once in a sweep however many rules reference it', async () => {
      // Prepare
      const ec2 = accountWithList([OFFICE, { cidr: '0.0.0.0/0' }]);
      for (const group of [WEB, SSH, 'sg-0ccccccccccccccc3']) referenceOn(ec2, group, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const report = await processSweep({ eventId: 'sweep-1', account: '598274344262', region: 'us-west-2' }, ctx);

      // Assess
      expect(report.counts).to.include({ rules: 3, violations: 3, revoked: 3 });
      expect(ec2.callsOf('describePrefixLists')).to.deep.equal([[LIST]]);
      expect(ec2.callsOf('prefixListEntries')).to.have.length(1);
    });
  });

  describe('a change of a list', () => {
    it('removes exactly the entry that opens a watched rule, in one call at the version read, and keeps the rule and the other entry', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      const rule = referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([{ prefixListId: LIST, currentVersion: 2, cidrs: [ADDED.cidr] }]);
      expect(ec2.prefixListState(LIST)).to.deep.equal({ version: 3, entries: [OFFICE] });
      expect(ec2.rules()).to.deep.equal([rule]);
      const part = (report as EventReport).prefix_list;
      expect(part).to.deep.include({
        outcome: 'removed',
        version: 2,
        new_version: 3,
        referencing_groups: [SSH],
        offending_entries: [ADDED],
      });
      expect(notifier.published.map((m) => m.subject)).to.deep.equal([
        `sg-sentry: removed 71.131.0.0/16 from ${LIST} "admin-ranges", used by 1 group`,
      ]);
    });

    it('gives the command that adds the removed entries back at the version the removal left', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(listRestores(report as EventReport)).to.deep.equal([
        {
          account: '598274344262',
          region: 'us-west-2',
          prefix_list_id: LIST,
          prefix_list_name: 'admin-ranges',
          current_version: 3,
          add_entries: [{ Cidr: '71.131.0.0/16', Description: 'My IP Range' }],
          command: `aws ec2 modify-managed-prefix-list --region us-west-2 --prefix-list-id ${LIST} --current-version 3 --add-entries '[{"Cidr":"71.131.0.0\\/16","Description":"My IP Range"}]'`,
        },
      ]);
      const email = notifier.published[0]?.email ?? '';
      expect(email).to.contain(`entries of prefix list ${LIST} (admin-ranges):`);
      expect(email).to.contain('Offending entries (1)\n  - 71.131.0.0/16 "My IP Range"');
      expect(email).to.contain(`Referencing groups: 1 group\n  - ${SSH}`);
    });

    it('leaves a list alone that is referenced only on tcp/443, where the entry is allowed', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList([OFFICE, { cidr: '0.0.0.0/0' }]);
      referenceOn(ec2, WEB, 443);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'nothing-to-remove', referencing_groups: [WEB] });
      expect(notifier.published).to.deep.equal([]);
    });

    it('finds an entry offending for one referencing rule even when another allows it', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, WEB, 443);
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
      expect((report as EventReport).findings.map((f) => `${f.group_id} ${f.source} ${f.action} ${f.prefix_list_id}`)).to.deep.equal([
        `${SSH} 71.131.0.0/16 revoked ${LIST}`,
      ]);
      expect(notifier.published[0]?.attributes).to.deep.include({ group_id: 'multiple', prefix_list_id: LIST });
    });

    it('removes nothing in report mode and says what it would remove', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({ mode: 'report' }, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE, ADDED]);
      expect((report as EventReport).findings.map((f) => f.action)).to.deep.equal(['reported']);
      expect((report as EventReport).restore).to.deep.equal([]);
      expect(notifier.published[0]?.subject).to.equal(`sg-sentry: would remove 71.131.0.0/16 from ${LIST} "admin-ranges", used by 1 group`);
    });

    it('sends no second notification for a second delivery, whose report and log line say duplicate', async () => {
      // Prepare: report mode, so the second delivery finds the same offending entry.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const notifyOnce = new InMemoryNotifyOnce();
      const { ctx, notifier, logs } = engineContext({ mode: 'report' }, ec2, { notifyOnce });
      await processPrefixListChange(change, ctx);

      // Act
      const { report: second } = await processPrefixListChange(change, ctx);

      // Assess
      expect(notifier.published).to.have.length(1);
      expect(second).to.include({ duplicate: true });
      expect(logs.filter((l) => l.message === 'sg-sentry prefix list').map((l) => l.duplicate)).to.deep.equal([undefined, true]);
    });

    it('has nothing to do when no watched rule references the list', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({ exclude_groups: [SSH] }, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      expect((report as EventReport).prefix_list).to.deep.include({
        outcome: 'nothing-to-remove',
        detail: 'no watched rule references the list',
      });
    });

    it('leaves the list to an exempt principal and notifies the change as exempt', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({ exempt_principals: ['arn:aws:iam::*:user/michael'] }, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      expect((report as EventReport).findings.map((f) => [f.verdict, f.action])).to.deep.equal([['exempt', 'none']]);
      expect(notifier.published[0]?.subject).to.match(/^sg-sentry: exempt change: 71\.131\.0\.0\/16 from pl-/);
    });

    it('reads the list again once when it moved on before the removal, and removes what is offending then', async () => {
      // Prepare: someone adds another world entry between the read and the removal.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      let raced = false;
      ec2.onCall('removePrefixListEntries', () => {
        if (raced) return;
        raced = true;
        ec2.editPrefixList(LIST, { add: [{ cidr: '0.0.0.0/0' }] });
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([
        { prefixListId: LIST, currentVersion: 2, cidrs: [ADDED.cidr] },
        { prefixListId: LIST, currentVersion: 3, cidrs: [ADDED.cidr, '0.0.0.0/0'] },
      ]);
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
    });

    it('fails retryably when the list moved on twice, after logging the report', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      ec2.onCall('removePrefixListEntries', () =>
        ec2.editPrefixList(LIST, { add: [{ cidr: `198.51.100.${ec2.callsOf('removePrefixListEntries').length}/32` }] }),
      );
      const { ctx, logs, notifier } = engineContext({}, ec2);

      // Act
      const error = await processPrefixListChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.callsOf('removePrefixListEntries')).to.have.length(2);
      expect(logs.at(-1)).to.deep.include({ level: 'error', message: 'sg-sentry prefix list' });
      expect(notifier.published).to.deep.equal([]);
    });

    it('fails retryably when EC2 says the list is still busy with an earlier change', async () => {
      // Prepare: the change the event reports is still being applied.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      ec2.failOn('removePrefixListEntries', notFound('IncorrectState', 'The prefix list is in the current state (modify-in-progress).'), {
        times: 1,
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      const first = await processPrefixListChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      await processPrefixListChange(change, ctx);

      // Assess
      expect(first).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
    });

    it('reports, without a retry, a removal EC2 refuses for good', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      ec2.failOn('removePrefixListEntries', notFound('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect((report as EventReport).prefix_list).to.deep.include({
        outcome: 'failed',
        detail: 'UnauthorizedOperation: You are not authorized to perform this operation.',
      });
      expect((report as EventReport).findings.map((f) => f.action)).to.deep.equal(['failed']);
      expect((report as EventReport).restore).to.deep.equal([]);
      expect(notifier.published[0]?.subject).to.match(/^sg-sentry: FAILED to remove 71\.131\.0\.0\/16 from /);
    });

    it('leaves an AWS-managed list alone without reading its entries or the rules', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = new InMemoryEc2().addPrefixList({
        prefixListId: LIST,
        name: 'com.amazonaws.us-west-2.s3',
        ownerId: 'AWS',
        entries: [{ cidr: '0.0.0.0/0' }],
      });
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists']);
      expect((report as EventReport).prefix_list).to.deep.include({
        outcome: 'not-inspected',
        detail: 'the list is AWS-managed, so it is trusted',
      });
      expect(notifier.published).to.deep.equal([]);
    });

    it('logs at error level, without a retry, a change of a list that no longer exists', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = new InMemoryEc2();
      referenceOn(ec2, SSH, 22);
      const { ctx, logs } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect((report as EventReport).prefix_list).to.deep.include({
        outcome: 'not-inspected',
        detail: 'the list could not be read: it does not exist',
      });
      expect(logs.at(-1)).to.deep.include({ level: 'error', message: 'sg-sentry prefix list' });
      expect(ec2.callsOf('describeRules')).to.deep.equal([]);
    });

    it('notifies, and counts as could not check, a change of a list the function may not read', async () => {
      // Prepare: the role lacks ec2:GetManagedPrefixListEntries.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().failOn(
        'prefixListEntries',
        new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
      );
      referenceOn(ec2, SSH, 22);
      const metrics: MetricsRecord[] = [];
      const { ctx, logs, notifier } = engineContext({}, ec2, { metrics: { record: (r) => metrics.push(r) } });

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect((report as EventReport).prefix_list?.outcome).to.equal('not-inspected');
      expect((report as EventReport).prefix_list?.detail).to.match(/^the list could not be read: .*not authorized/);
      expect(notifier.published.map((m) => m.subject)).to.deep.equal([`sg-sentry: not inspected: ${LIST}`]);
      expect(notifier.published[0]?.email).to.match(/the list could not be read: .*not authorized/);
      expect(metrics.flatMap((r) => r.metrics.map((m) => `${m.name} ${m.value}`))).to.deep.equal(['CouldNotCheck 1']);
      expect(logs.at(-1)).to.deep.include({ level: 'error', message: 'sg-sentry prefix list' });
    });

    it('fails retryably, removing nothing, when the list cannot be read for now', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().failOn('describePrefixLists', throttled());
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const error = await processPrefixListChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE, ADDED]);
    });

    it('fails retryably when the referencing rules cannot be listed for now', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().failOn('describeRules', throttled());
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const error = await processPrefixListChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
    });

    it('finds referencing rules on every page of DescribeSecurityGroupRules', async () => {
      // Prepare: 1,000 rules of other sources before the one that references the list.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      for (let port = 1; port <= 1000; port++)
        ec2.addRule({
          direction: 'ingress',
          groupId: WEB,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          source: { kind: 'cidr', cidr: '10.0.0.0/8', family: 'ipv4' },
        });
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('describeRules')).to.have.length(2);
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
    });

    it('does not count a rule whose group carries an exclude_tags tag, and removes nothing for it', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { 'sg-sentry': 'ignore' } });
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({ exclude_tags: { 'sg-sentry': 'ignore' } }, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      expect((report as EventReport).findings.map((f) => [f.group_id, f.verdict, f.action])).to.deep.equal([[SSH, 'exempt', 'none']]);
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'exempt', offending_entries: [] });
      expect(notifier.published[0]?.subject).to.equal(`sg-sentry: exempt change: ${LIST} "admin-ranges", used by 1 group`);
    });

    it('removes nothing for a rule that a prefix_list entry trusts by id, or that no prefix_list entry covers', async () => {
      // Prepare: the bastion's list is trusted by id on tcp/22; the database's tcp/5432 has no prefix_list entry at all.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList([OFFICE, ADDED, { cidr: '0.0.0.0/0' }]);
      referenceOn(ec2, SSH, 22);
      referenceOn(ec2, WEB, 5432);
      const policy = { ingress: { allow: [{ cidr: '10.0.0.0/8' }, { prefix_list: LIST, protocol: 'tcp', ports: [22] }] } };
      const { ctx } = engineContext(policy, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'nothing-to-remove', referencing_groups: [SSH, WEB] });
      expect((report as EventReport).prefix_list?.detail).to.equal(
        'no watched rule that references the list is judged by its entries: an allow entry names the list by id, or no prefix_list entry covers the rule (whatever the list holds, the sweep judges such a rule)',
      );
    });

    it('removes more than 100 offending entries in calls of 100, each at the version the last one left', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const world = Array.from({ length: 150 }, (_, i) => ({ cidr: `198.51.${Math.floor(i / 100)}.${i % 100}/32` }));
      const ec2 = accountWithList([OFFICE, ...world]);
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(
        (ec2.callsOf('removePrefixListEntries') as RemovePrefixListEntriesRequest[]).map((r) => [r.currentVersion, r.cidrs.length]),
      ).to.deep.equal([
        [2, 100],
        [3, 50],
      ]);
      expect(ec2.prefixListState(LIST)).to.deep.equal({ version: 4, entries: [OFFICE] });
      expect(listRestores(report as EventReport).map((r) => [r.current_version, r.add_entries.length])).to.deep.equal([[4, 150]]);
    });

    it('removes nothing more when the entry left the list before the removal', async () => {
      // Prepare: its owner takes the entry out again between the read and the removal.
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      ec2.onCall('removePrefixListEntries', () => {
        if (ec2.prefixListState(LIST).version === 2) ec2.editPrefixList(LIST, { remove: [ADDED.cidr] });
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.have.length(1);
      expect(ec2.prefixListState(LIST)).to.deep.equal({ version: 3, entries: [OFFICE] });
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'nothing-to-remove', version: 3, offending_entries: [] });
      expect((report as EventReport).restore).to.deep.equal([]);
    });

    it('fails retryably when the list moved on and cannot be read again', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      ec2.onCall('removePrefixListEntries', () => {
        ec2.editPrefixList(LIST, { add: [{ cidr: '0.0.0.0/0' }] });
        ec2.failOn('describePrefixLists', throttled());
      });
      const { ctx } = engineContext({}, ec2);

      // Act
      const error = await processPrefixListChange(change, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).to.be.instanceOf(RetryableRemediationError);
      expect(ec2.callsOf('removePrefixListEntries')).to.have.length(1);
    });

    it('reads no group when the policy reads no tags', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({ exception_tag: null }, ec2);

      // Act
      await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.calls.map((c) => c.method)).to.deep.equal([
        'describePrefixLists',
        'prefixListEntries',
        'describeRules',
        'removePrefixListEntries',
      ]);
    });

    it('judges a list restored to an earlier version by what it holds now', async () => {
      // Prepare
      const change = listChangeOf(RESTORE_LIST);
      const ec2 = accountWithList([OFFICE, { cidr: '0.0.0.0/0' }]);
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      await processPrefixListChange(change, ctx);

      // Assess
      expect(change.addedEntries).to.equal(undefined);
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
    });

    it('gives the abridged sample, which has no eventID, the same derived id on every delivery, and says so', async () => {
      // Prepare
      const first = listChangeOf(MODIFY_LIST);
      const second = listChangeOf(MODIFY_LIST);
      const other = listChangeOf(MODIFY_LIST, (record) => {
        record.eventTime = '2024-10-09T21:58:00Z';
      });
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(first, ctx);

      // Assess
      expect(first.eventId).to.match(/^derived-[0-9a-f]{32}$/);
      expect(second.eventId).to.equal(first.eventId);
      expect(other.eventId).not.to.equal(first.eventId);
      expect(report).to.deep.include({ event_id: first.eventId, event_id_derived: true, account: '598274344262' });
    });

    it('ignores a modification that only removes entries, without reading EC2', () => {
      // Act
      const parsed = parseEvent(
        envelope({
          ...fixture(MODIFY_LIST),
          requestParameters: { ModifyManagedPrefixListRequest: { PrefixListId: LIST, RemoveEntry: { Cidr: '71.131.0.0/16' } } },
        }),
      );

      // Assess
      expect(parsed).to.deep.include({ kind: 'ignored' });
    });

    it('is not inspected with inspect_prefix_lists false', async () => {
      // Prepare
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({ inspect_prefix_lists: false }, ec2);

      // Act
      const { report } = await processPrefixListChange(listChangeOf(MODIFY_LIST), ctx);

      // Assess
      expect(report.status).to.equal('ignored');
      expect(ec2.calls).to.deep.equal([]);
    });
  });

  describe('a change of a list, where a referencing rule may be exempt', () => {
    const TAG = 'sg-sentry:exempt-until';
    const DEPLOYER = 'arn:aws:iam::598274344262:role/deployer';
    const DEPLOYER_SESSION = 'arn:aws:sts::598274344262:assumed-role/deployer/terraform';

    /** What the event path remembers when the deployer authorized the rule (see judge/remembered-exemptions.ts). */
    function rememberedFor(rule: Rule): ExemptionRecord {
      return {
        account: '598274344262',
        region: 'us-west-2',
        ruleId: rule.ruleId ?? '',
        groupId: rule.groupId ?? '',
        rule: ruleKey(rule),
        ruleText: `tcp/22 from ${LIST}`,
        principal: { arn: DEPLOYER_SESSION, issuerArn: DEPLOYER },
        reason: `exempt_principals[0] "${DEPLOYER}" matches issuer ${DEPLOYER}`,
        time: '2026-11-20T08:00:00Z',
        eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
        expiration: 1_900_000_000,
      };
    }

    it('keeps the entries a rule in a group with an active exception offends, with one group read, and says until when', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { [TAG]: '2026-11-30' } });
      referenceOn(ec2, SSH, 22);
      const { ctx, notifier } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE, ADDED]);
      expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describePrefixLists', 'prefixListEntries', 'describeRules', 'describeGroups']);
      const { findings, prefix_list: part } = report as EventReport;
      expect(findings.map((f) => [f.group_id, f.verdict, f.action])).to.deep.equal([[SSH, 'exempt', 'none']]);
      expect(findings[0]?.reason).to.match(
        /^exception until 2026-11-30T23:59:59Z \(tag sg-sentry:exempt-until\); entry 71\.131\.0\.0\/16 of prefix list /,
      );
      expect(part).to.deep.include({
        outcome: 'exempt',
        detail: 'exception until 2026-11-30T23:59:59Z (tag sg-sentry:exempt-until)',
        offending_entries: [],
      });
      expect(notifier.published[0]?.subject).to.equal(`sg-sentry: exempt change: ${LIST} "admin-ranges", used by 1 group`);
    });

    it('removes the entry when the exception has expired, and says when it expired', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { [TAG]: '2026-11-20T00:00:00Z' } });
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
      const [finding] = (report as EventReport).findings;
      expect(finding).to.include({ verdict: 'violation', action: 'revoked' });
      expect(finding?.reason).to.match(/; exception expired at 2026-11-20T00:00:00Z \(tag sg-sentry:exempt-until\)$/);
    });

    it('removes the entry when the exception lies further ahead than max_exception_days, and says the tag was ignored', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { [TAG]: '2027-06-01' } });
      referenceOn(ec2, SSH, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
      expect((report as EventReport).findings[0]?.reason).to.match(
        /; tag sg-sentry:exempt-until ignored: 2027-06-01T23:59:59Z is more than max_exception_days \(30\) ahead$/,
      );
    });

    it('still removes an entry that a rule of a group without an exception needs removed, and keeps the excepted rule exempt', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { [TAG]: '2026-11-30' } });
      referenceOn(ec2, SSH, 22);
      referenceOn(ec2, WEB, 22);
      const { ctx } = engineContext({}, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([{ prefixListId: LIST, currentVersion: 2, cidrs: [ADDED.cidr] }]);
      expect((report as EventReport).findings.map((f) => [f.group_id, f.verdict, f.action])).to.deep.equal([
        [SSH, 'exempt', 'none'],
        [WEB, 'violation', 'revoked'],
      ]);
    });

    it('keeps the entries a rule offends that the event path remembered as exempt, as the sweep does', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      const rule = referenceOn(ec2, SSH, 22);
      const state = new InMemoryState();
      await state.recordExemptions([rememberedFor(rule)]);
      const { ctx } = engineContext({ exempt_principals: [DEPLOYER] }, ec2, { state });

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE, ADDED]);
      expect(state.calls.filter((c) => c.method === 'exemptionsOf')).to.deep.equal([{ method: 'exemptionsOf', count: 1 }]);
      const [finding] = (report as EventReport).findings;
      expect(finding).to.include({ verdict: 'exempt', action: 'none' });
      expect(finding?.reason).to.match(
        /^exempt when it was made \(event a1b2c3d4-0000-4000-8000-000000000001, 2026-11-20T08:00:00Z\): exempt_principals\[0\] /,
      );
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'exempt', offending_entries: [] });
    });

    it('removes the entry when the remembered principal is no longer exempt, and says why the record no longer holds', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      const rule = referenceOn(ec2, SSH, 22);
      const state = new InMemoryState();
      await state.recordExemptions([rememberedFor(rule)]);
      const { ctx } = engineContext({}, ec2, { state });

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE]);
      const [finding] = (report as EventReport).findings;
      expect(finding).to.include({ verdict: 'violation', action: 'revoked' });
      expect(finding?.reason).to.match(
        new RegExp(`; the exemption remembered for it no longer holds: ${DEPLOYER_SESSION.replace(/[/.]/g, '\\$&')} is no longer exempt$`),
      );
    });

    it('removes nothing on a guess when the remembered exemptions cannot be read, and says so at error level', async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const { ctx, logs } = engineContext({}, ec2, { state: new InMemoryState().failWith() });

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.callsOf('removePrefixListEntries')).to.deep.equal([]);
      const [finding] = (report as EventReport).findings;
      expect(finding).to.include({ verdict: 'violation', action: 'failed' });
      expect(finding?.error).to.match(
        /^not removed: the exemptions remembered for it could not be read \(BatchGetItem on sg-sentry-state failed/,
      );
      expect((report as EventReport).prefix_list).to.deep.include({ outcome: 'failed', offending_entries: [] });
      expect(logs.find((l) => l.message === 'sg-sentry prefix list')).to.include({ level: 'error' });
    });

    it("looks up no remembered exemption when the change's principal is exempt, as nothing is removed then", async () => {
      // Prepare
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList();
      referenceOn(ec2, SSH, 22);
      const state = new InMemoryState();
      const { ctx } = engineContext({ exempt_principals: ['arn:aws:iam::*:user/michael'] }, ec2, { state });

      // Act
      await processPrefixListChange(change, ctx);

      // Assess
      expect(state.calls).to.deep.equal([]);
    });

    it('honours the exception of a group whose rule offends only after the list moved on and was read again', async () => {
      // Prepare: at first only the RDP rule is opened too far; before the removal someone adds a range the SSH rule may not have
      const change = listChangeOf(MODIFY_LIST);
      const ec2 = accountWithList().addGroup({ groupId: SSH, tags: { [TAG]: '2026-11-30' } });
      const vendor: PrefixListEntry = { cidr: '198.51.100.0/24' };
      referenceOn(ec2, SSH, 22);
      referenceOn(ec2, WEB, 3389);
      ec2.onCall('removePrefixListEntries', () => {
        if (ec2.prefixListState(LIST).version === 2) ec2.editPrefixList(LIST, { add: [vendor] });
      });
      const policy = {
        ingress: {
          allow: [
            { cidr: '10.0.0.0/8' },
            { cidr: ADDED.cidr, protocol: 'tcp', ports: [22] },
            { cidr: vendor.cidr, protocol: 'tcp', ports: [3389] },
            { prefix_list: '*' },
          ],
        },
      };
      const { ctx } = engineContext(policy, ec2);

      // Act
      const { report } = await processPrefixListChange(change, ctx);

      // Assess
      expect(ec2.prefixListState(LIST).entries).to.deep.equal([OFFICE, vendor]);
      expect((report as EventReport).findings.map((f) => `${f.group_id} ${f.source} ${f.verdict} ${f.action}`)).to.deep.equal([
        `${SSH} ${vendor.cidr} exempt none`,
        `${WEB} ${ADDED.cidr} violation revoked`,
      ]);
    });
  });
});
