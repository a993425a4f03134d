/**
 * Reading the two prefix-list calls: the real abridged console ModifyManagedPrefixList sample
 * (lower-case `cidr`, one `AddEntry` object, no eventID) and variants of it with one thing
 * changed, and the derived RestoreManagedPrefixListVersion, of which only the list id is relied on.
 */
import { expect } from 'chai';
import type { ParsedEvent } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import { clone, envelope, fixture } from '../helpers/fixtures';

const MODIFY_LIST = 'modify-managed-prefix-list-add-entry-console-abridged';
const RESTORE_LIST = 'derived/restore-prefix-list-version-from-modify-managed-prefix-list-add-entry-console-abridged';
const LIST = 'pl-0c3516b0e5630bf3e';

function modifyWith(request: Record<string, unknown>): Record<string, any> {
  const record = clone(fixture(MODIFY_LIST));
  record.requestParameters = { ModifyManagedPrefixListRequest: { PrefixListId: LIST, ...request } };
  return record;
}

function restoreWith(requestParameters: unknown): Record<string, any> {
  const record = clone(fixture(RESTORE_LIST));
  record.requestParameters = requestParameters;
  return record;
}

function added(parsed: ParsedEvent): string[] {
  if (parsed.kind !== 'prefix-list-change') throw new Error(`not a prefix-list change: ${parsed.kind}`);
  return (parsed.change.addedEntries ?? []).map((e) => `${e.cidr}${e.description !== undefined ? ` ${e.description}` : ''}`);
}

/** A malformed watched event is not dropped: it is read as unreadable, naming its problems. */
function validationProblems(record: Record<string, any>): string[] {
  const parsed = parseEvent(envelope(record));
  if (parsed.kind !== 'unreadable') throw new Error(`the record was read as ${parsed.kind}`);
  expect(parsed.unreadable.groupIds).to.deep.equal([]);
  return [...parsed.unreadable.problems];
}

describe('prefix-list events', () => {
  it('reads the real sample: the list, and its one added entry written with a lower-case cidr', () => {
    // Act
    const parsed = parseEvent(envelope(fixture(MODIFY_LIST)));

    // Assess
    expect(parsed).to.deep.include({ kind: 'prefix-list-change' });
    expect(added(parsed)).to.deep.equal(['71.131.0.0/16 My IP Range']);
    if (parsed.kind === 'prefix-list-change')
      expect(parsed.change).to.deep.include({ prefixListId: LIST, eventName: 'ModifyManagedPrefixList', region: 'us-west-2' });
  });

  it('reads AddEntry as an array with the PascalCase Cidr key', () => {
    // Prepare
    const record = modifyWith({ AddEntry: [{ Cidr: '0.0.0.0/0', Description: 'everyone' }, { Cidr: '2001:db8::/32' }] });

    // Act
    const parsed = parseEvent(envelope(record));

    // Assess
    expect(added(parsed)).to.deep.equal(['0.0.0.0/0 everyone', '2001:db8::/32']);
  });

  it('lower-cases the list id, as EC2 accepts it in any case', () => {
    // Prepare
    const record = modifyWith({ PrefixListId: 'PL-0C3516B0E5630BF3E', AddEntry: { cidr: '71.131.0.0/16' } });

    // Act
    const parsed = parseEvent(envelope(record));

    // Assess
    expect(parsed.kind === 'prefix-list-change' && parsed.change.prefixListId).to.equal(LIST);
  });

  it('ignores a modification that adds nothing (a rename, or removals only)', () => {
    // Prepare
    const rename = modifyWith({ PrefixListName: 'renamed' });
    const removal = modifyWith({ RemoveEntry: [{ Cidr: '71.131.0.0/16' }] });

    // Act
    const parsed = [rename, removal].map((record) => parseEvent(envelope(record)));

    // Assess
    expect(parsed.map((p) => p.kind)).to.deep.equal(['ignored', 'ignored']);
  });

  it('refuses an added entry that names no CIDR, naming the field', () => {
    // Prepare
    const record = modifyWith({ AddEntry: { Description: 'no range' } });

    // Act
    const problems = validationProblems(record);

    // Assess
    expect(problems.join('\n')).to.match(/requestParameters\.ModifyManagedPrefixListRequest\.AddEntry.*names no CIDR/);
  });

  it('refuses a modification that names no list', () => {
    // Prepare
    const record = clone(fixture(MODIFY_LIST));
    delete record.requestParameters.ModifyManagedPrefixListRequest.PrefixListId;

    // Act
    const problems = validationProblems(record);

    // Assess
    expect(problems.join('\n')).to.contain('requestParameters.ModifyManagedPrefixListRequest.PrefixListId');
  });

  it('reads a restored list from the PascalCase wrapper and from the top of the request', () => {
    // Prepare
    const wrapped = clone(fixture(RESTORE_LIST));
    const flat = restoreWith({ PrefixListId: LIST, PreviousVersion: 1, CurrentVersion: 2 });

    // Act
    const parsed = [wrapped, flat].map((record) => parseEvent(envelope(record)));

    // Assess
    for (const p of parsed) {
      expect(p).to.deep.include({ kind: 'prefix-list-change' });
      if (p.kind === 'prefix-list-change')
        expect(p.change).to.deep.include({ prefixListId: LIST, eventName: 'RestoreManagedPrefixListVersion' });
      if (p.kind === 'prefix-list-change') expect(p.change.addedEntries).to.equal(undefined);
    }
  });

  it('refuses a restore that names no list, saying so', () => {
    // Prepare
    const record = restoreWith({ RestoreManagedPrefixListVersionRequest: { PreviousVersion: 1, CurrentVersion: 2 } });

    // Act
    const problems = validationProblems(record);

    // Assess
    expect(problems).to.deep.equal([
      'detail.requestParameters.RestoreManagedPrefixListVersionRequest.PrefixListId: missing; the request does not name the list',
    ]);
  });

  it('ignores a prefix-list call that failed', () => {
    // Prepare
    const record = clone(fixture(MODIFY_LIST));
    record.errorCode = 'Client.PrefixListVersionMismatch';

    // Act
    const parsed = parseEvent(envelope(record));

    // Assess
    expect(parsed).to.deep.include({ kind: 'ignored' });
  });
});
