import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { deterministicZip } from '../../modules/deterministic-zip';

interface ReadEntry {
  name: string;
  data: Buffer;
  method: number;
  dosTime: number;
  dosDate: number;
  unixMode: number;
}

/** Reads a zip through its central directory (enough for the archives deterministicZip writes). */
function readZip(zip: Buffer): ReadEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).to.equal(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    expect(crc32(data), name).to.equal(zip.readUInt32LE(at + 16));
    entries.push({
      name,
      data,
      method: zip.readUInt16LE(at + 10),
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      unixMode: zip.readUInt32LE(at + 38) >>> 16,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('deterministicZip', () => {
  it('stores each entry with its bytes, a fixed 1980-01-01 timestamp and mode 0644', () => {
    // Prepare
    const code = Buffer.from('exports.handler = async () => "ok";\n');

    // Act
    const entries = readZip(
      deterministicZip([
        { name: 'index.js', data: code },
        { name: 'lib/empty.txt', data: Buffer.alloc(0) },
      ]),
    );

    // Assess
    expect(entries.map((e) => e.name)).to.deep.equal(['index.js', 'lib/empty.txt']);
    expect(entries[0]!.data.equals(code)).to.equal(true);
    for (const entry of entries) {
      expect(entry).to.include({ method: 0, dosTime: 0, dosDate: (1 << 5) | 1, unixMode: 0o100644 });
    }
  });

  it('produces the same bytes for the same entries, whenever it runs', () => {
    // Prepare
    const entries = [{ name: 'index.js', data: Buffer.from('x'.repeat(10_000)) }];

    // Act
    const first = deterministicZip(entries);
    const second = deterministicZip(entries.map((e) => ({ ...e, data: Buffer.from(e.data) })));

    // Assess
    expect(first.equals(second)).to.equal(true);
  });

  it('refuses duplicate, absolute and backslash names', () => {
    for (const names of [['a.js', 'a.js'], ['/etc/passwd'], ['dir\\file.js'], ['']]) {
      expect(() => deterministicZip(names.map((name) => ({ name, data: Buffer.alloc(1) }))), names.join(',')).to.throw(/zip:/);
    }
  });

  it('is read back intact by the system unzip, when there is one', function () {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sg-sentry-zip-'));
    const file = join(dir, 'function.zip');
    writeFileSync(file, deterministicZip([{ name: 'index.js', data: Buffer.from('exports.handler = 1;\n') }]));

    // Act
    let listing: string;
    try {
      listing = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Assess
    expect(listing).to.match(/testing: index\.js\s+OK/);
    expect(listing).to.contain('No errors detected');
  });
});
