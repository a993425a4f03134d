/**
 * A minimal zip writer whose output depends only on the entries' names and bytes: fixed
 * timestamps, fixed permissions, entries in the order given, no extra fields. The synthesized
 * module embeds the function archive, and two synths of the same source must be byte-identical,
 * which general-purpose zip tools (and cdktf's TerraformAsset) do not promise because they
 * record file times.
 *
 * Entries are STORED (method 0), not deflated: deflate output depends on the zlib build that
 * Node ships, so two machines with different Node versions could zip the same bundle into
 * different bytes, change `source_code_hash` and redeploy the function for nothing. The bundle is
 * already minified; Lambda accepts up to 50 MB zipped.
 *
 * Format: PKWARE APPNOTE 6.3.x, no zip64 (each entry and the archive stay under 4 GiB).
 */
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  readonly name: string;
  readonly data: Buffer;
}

/** MS-DOS date 1980-01-01 (the earliest a zip can express), time 00:00:00. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
/** Made by: Unix (3), spec version 2.0; so that the external attributes carry a Unix mode. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** Version needed to extract: 1.0 (stored entries, no directories). */
const VERSION_NEEDED = 10;
/** Bit 11: names are UTF-8. */
const FLAGS = 1 << 11;
const METHOD_STORED = 0;
/** Regular file, rw-r--r--: Lambda only needs to read the code. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;

export function deterministicZip(entries: readonly ZipEntry[]): Buffer {
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (!entry.name || entry.name.startsWith('/') || entry.name.includes('\\') || seen.has(entry.name)) {
      throw new Error(`zip: invalid or duplicate entry name ${JSON.stringify(entry.name)}`);
    }
    seen.add(entry.name);
    if (entry.data.length >= 0xffffffff || offset >= 0xffffffff - entry.data.length) {
      throw new Error(`zip: ${entry.name} does not fit a zip without zip64 extensions`);
    }
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAGS, 6);
    local.writeUInt16LE(METHOD_STORED, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, entry.data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(FLAGS, 8);
    central.writeUInt16LE(METHOD_STORED, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra field length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + entry.data.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
