/**
 * The notification of a prefix-list change, from the report the engine builds for the real
 * abridged console ModifyManagedPrefixList sample: its subject, its first line per outcome, and
 * the list section of the email (entries and groups bounded, event text made plain).
 */
import { expect } from 'chai';
import type { PrefixListChange } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import { processPrefixListChange } from '../../function/core/prefix-list-change';
import { emailOf, notificationOf, subjectOf } from '../../function/core/report/event-notification';
import type { EventReport, PrefixListReport } from '../../function/core/report/report';
import { engineContext } from '../engine/support';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

const LIST = 'pl-0c3516b0e5630bf3e';
const SSH = 'sg-0bbbbbbbbbbbbbbb2';

function change(): PrefixListChange {
  const parsed = parseEvent({ ...envelope(fixture('modify-managed-prefix-list-add-entry-console-abridged')), account: '598274344262' });
  if (parsed.kind !== 'prefix-list-change') throw new Error('not a prefix-list change');
  return parsed.change;
}

async function reportOf(policy: Record<string, unknown> = {}): Promise<EventReport> {
  // The sample's list after its call: the office range, then the entry it added (version 2).
  const ec2 = new InMemoryEc2().addPrefixList({
    prefixListId: LIST,
    name: 'admin-ranges',
    ownerId: '598274344262',
    entries: [{ cidr: '10.20.0.0/16' }],
  });
  ec2.editPrefixList(LIST, { add: [{ cidr: '71.131.0.0/16', description: 'My IP Range' }] });
  ec2.addRule({
    direction: 'ingress',
    groupId: SSH,
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    source: { kind: 'prefix_list', prefixListId: LIST },
  });
  const { ctx } = engineContext(policy, ec2);
  return (await processPrefixListChange(change(), ctx)).report as EventReport;
}

function withList(report: EventReport, edit: Partial<PrefixListReport>): EventReport {
  return { ...report, prefix_list: { ...(report.prefix_list as PrefixListReport), ...edit } };
}

describe('prefix-list notification', () => {
  it('names the list, the versions, the offending entry and the referencing group in the email', async () => {
    // Prepare
    const report = await reportOf();

    // Act
    const email = emailOf(report);

    // Assess
    const lines = email.split('\n');
    expect(lines[0]).to.equal(`REMOVED FROM PREFIX LIST: ModifyManagedPrefixList of ${LIST} (admin-ranges)`);
    expect(lines).to.include.members([
      `  id: ${LIST}`,
      '  name: admin-ranges',
      '  version read: 2, after removal 3',
      '  entries: 2',
      '  - 71.131.0.0/16 "My IP Range"',
      `  - ${SSH}`,
      '  groups: 1 (listed above)',
    ]);
    expect(notificationOf(report).attributes).to.deep.include({ group_id: SSH, prefix_list_id: LIST, action: 'revoked' });
  });

  it('says in report mode that nothing was changed, and gives no command', async () => {
    // Prepare
    const report = await reportOf({ mode: 'report' });

    // Act
    const email = emailOf(report);

    // Assess
    expect(email.split('\n')[0]).to.equal(
      `WOULD REMOVE FROM PREFIX LIST (report mode: nothing was changed): ModifyManagedPrefixList of ${LIST} (admin-ranges)`,
    );
    expect(email).not.to.contain('To undo');
  });

  it('shows why a removal failed as an error line', async () => {
    // Prepare
    const report = withList(await reportOf(), { outcome: 'failed', detail: 'UnauthorizedOperation: not allowed', new_version: undefined });

    // Act
    const email = emailOf(report);

    // Assess
    expect(email.split('\n')[0]).to.match(/^FAILED TO REMOVE FROM PREFIX LIST: /);
    expect(email).to.contain('\n  error: UnauthorizedOperation: not allowed\n');
    expect(subjectOf(report)).to.equal(`sg-sentry: FAILED to remove 71.131.0.0/16 from ${LIST} "admin-ranges", used by 1 group`);
  });

  it('bounds the entries and groups it lists, and counts the rest', async () => {
    // Prepare
    const entries = Array.from({ length: 25 }, (_, i) => ({ cidr: `198.51.100.${i}/32` }));
    const groups = Array.from({ length: 23 }, (_, i) => `sg-0${String(i).padStart(16, '0')}`);
    const report = withList(await reportOf(), { offending_entries: entries, referencing_groups: groups });

    // Act
    const email = emailOf(report);

    // Assess
    expect(email).to.contain('Offending entries (25)');
    expect(email).to.contain('  … and 5 more in the JSON report\n');
    expect(email).to.contain('Referencing groups: 23 groups');
    expect(email).to.contain('  … and 3 more in the JSON report\n');
    expect(subjectOf(report)).to.match(
      /^sg-sentry: removed 198\.51\.100\.0\/32 \(\+24 more\) from pl-0c3516b0e5630bf3e "admin-ranges", used by 2/,
    );
    expect(subjectOf(report).length).to.be.at.most(100);
  });

  it('makes an entry description from the list plain text: no line breaks or reordering characters', async () => {
    // Prepare
    const report = withList(await reportOf(), {
      offending_entries: [{ cidr: '71.131.0.0/16', description: 'see https://evil.example\u202e\nSubject: x' }],
    });

    // Act
    const email = emailOf(report);

    // Assess
    const line = email.split('\n').find((l) => l.startsWith('  - 71.131.0.0/16')) ?? '';
    expect(line).not.to.contain('\u202e');
    expect(line).to.contain('\\u202e\\u000aSubject: x"');
    expect(email).not.to.contain('\nSubject: x');
  });
});
