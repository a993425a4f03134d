/**
 * The restore command of entries removed from a prefix list: one line of AWS CLI v2 that adds
 * them back at the version the removal left, safe to paste whatever the entries' descriptions
 * (written by whoever edited the list) contain.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { prefixListRestore } from '../../function/core/report/restore';

const LIST = 'pl-0c3516b0e5630bf3e';

/** The arguments bash hands to `aws` for `command` (a function stands in for the CLI). */
function wordsOf(command: string): string[] {
  const script = `aws() { printf '%s\\0' "$@"; }\n${command}\n`;
  const run = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(run.status, run.stderr).to.equal(0);
  return run.stdout.split('\0').slice(0, -1);
}

describe('prefix-list restore commands', () => {
  it('adds the removed entries back, with their descriptions, naming the version the removal left', () => {
    // Prepare: the entry of the real console sample, removed at version 2, leaving version 3.
    const entries = [{ cidr: '71.131.0.0/16', description: 'My IP Range' }, { cidr: '2001:db8::/32' }];

    // Act
    const restore = prefixListRestore(
      { account: '598274344262', region: 'us-west-2' },
      { prefixListId: LIST, name: 'admin-ranges', version: 3 },
      entries,
    );

    // Assess
    const words = wordsOf(restore.command);
    expect(words.slice(0, 8)).to.deep.equal([
      'ec2',
      'modify-managed-prefix-list',
      '--region',
      'us-west-2',
      '--prefix-list-id',
      LIST,
      '--current-version',
      '3',
    ]);
    expect(words[8]).to.equal('--add-entries');
    expect(JSON.parse(words[9]!)).to.deep.equal([{ Cidr: '71.131.0.0/16', Description: 'My IP Range' }, { Cidr: '2001:db8::/32' }]);
    expect(restore).to.deep.include({ prefix_list_id: LIST, prefix_list_name: 'admin-ranges', current_version: 3 });
  });

  it('parses back, through bash, to exactly the entries removed, whatever their descriptions hold (property)', () => {
    const dangerous = fc.constantFrom(
      "'",
      '"',
      '`',
      '$',
      '$(id)',
      '${HOME}',
      ';',
      '&&',
      '|',
      '\\',
      '\n',
      '\r',
      '!',
      '*',
      '#',
      ' ',
      '\u2028',
      '\u202e',
      '\u{1F600}',
      '\0',
    );
    const description = fc
      .array(fc.oneof(dangerous, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 12 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(description, { minLength: 1, maxLength: 3 }), (descriptions) => {
        // Prepare
        const entries = descriptions.map((text, i) => ({ cidr: `198.51.100.${i}/32`, description: text }));

        // Act
        const { command } = prefixListRestore({ account: null, region: 'us-east-1' }, { prefixListId: LIST, version: 7 }, entries);

        // Assess
        expect(command).to.match(/^[\x20-\x7e]+$/);
        const words = wordsOf(command);
        expect(words.slice(0, 8)).to.deep.equal([
          'ec2',
          'modify-managed-prefix-list',
          '--region',
          'us-east-1',
          '--prefix-list-id',
          LIST,
          '--current-version',
          '7',
        ]);
        expect(JSON.parse(words[9]!).map((e: { Description: string }) => e.Description)).to.deep.equal(descriptions);
      }),
      { numRuns: 40 },
    );
  });
});
