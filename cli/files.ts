/**
 * Reading what users have at hand: JSON files, gzipped or not (CloudTrail delivers its log files
 * to S3 gzipped), whole directories of them (what `aws s3 sync` of a trail bucket makes), and
 * standard input, with errors that name the file and the place in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CliError } from './errors';
import { messageOf } from '../function/core/errors';

/** How standard input is named in messages and reports. */
export const STDIN_LABEL = '(stdin)';

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readProblem(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return messageOf(error);
}

/** `at position 7` → `at position 7 (line 1, column 8)`, as editors count. */
function withLineAndColumn(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (match === null || /line \d+/.test(message)) return message;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/** The parsed JSON of some bytes, gunzipped first when they start with the gzip magic bytes. */
export function parseJsonBytes(label: string, raw: Buffer): unknown {
  let bytes = raw;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new CliError(`${label}: looks gzipped but does not decompress: ${readProblem(error)}`, undefined, { cause: error });
    }
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new CliError(`${label}: empty, expected JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${label}: not valid JSON: ${withLineAndColumn(readProblem(error), text)}`, undefined, { cause: error });
  }
}

/** The parsed JSON of a file (see `parseJsonBytes`). */
export function readJsonFile(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(`${file}: ${readProblem(error)}`, undefined, { cause: error });
  }
  return parseJsonBytes(file, bytes);
}

/** Where events come from: a file, or standard input (`-`). */
export type InputSource = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'stdin' };

export function sourceLabel(source: InputSource): string {
  return source.kind === 'stdin' ? STDIN_LABEL : source.file;
}

/** A file name `check` reads when it walks a directory: what CloudTrail writes, and plain JSON. */
function isEventFileName(name: string): boolean {
  return /\.json(\.gz)?$/i.test(name);
}

/** Every `.json` and `.json.gz` file under `dir`, depth first, in name order (stable across runs). */
function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new CliError(`${dir}: ${readProblem(error)}`, undefined, { cause: error });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && isEventFileName(entry.name) ? [path] : [];
  });
}

/**
 * The inputs the arguments name: `-` is standard input (once), a directory is every `.json` and
 * `.json.gz` file below it, anything else is a file read whatever its name. A directory holding
 * none is an error: a sync that fetched nothing must not pass as "no violations".
 */
export function expandInputs(args: readonly string[]): InputSource[] {
  const sources: InputSource[] = [];
  let stdin = false;
  for (const arg of args) {
    if (arg === '-') {
      if (stdin) throw new CliError('check: - (standard input) is named twice');
      stdin = true;
      sources.push({ kind: 'stdin' });
      continue;
    }
    let isDirectory = false;
    try {
      isDirectory = statSync(arg).isDirectory();
    } catch {
      // Not there: reading it says so, with the other inputs still read.
    }
    if (!isDirectory) {
      sources.push({ kind: 'file', file: arg });
      continue;
    }
    const files = filesUnder(arg);
    if (files.length === 0) throw new CliError(`${arg}: a directory with no .json or .json.gz file in it (or below)`);
    sources.push(...files.map((file) => ({ kind: 'file' as const, file })));
  }
  return sources;
}

export interface InputRecord {
  readonly file: string;
  /** Position in a CloudTrail log file's `Records`, a lookup-events answer's `Events` or a JSON array; null for one event. */
  readonly index: number | null;
  readonly value: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `aws cloudtrail lookup-events` answers `{"Events": [{"CloudTrailEvent": "<the record as a
 * JSON string>", …}]}`: each record is parsed out of its string. One that does not parse is
 * kept as the string, so the engine reports it invalid and the others are still judged.
 */
function lookupEventsRecords(label: string, events: unknown): InputRecord[] {
  if (!Array.isArray(events)) throw new CliError(`${label}: Events: expected the array of an \`aws cloudtrail lookup-events\` answer`);
  return events.map((event, index) => {
    const text = isObject(event) ? event.CloudTrailEvent : undefined;
    if (typeof text !== 'string') return { file: label, index, value: event };
    try {
      return { file: label, index, value: JSON.parse(text) as unknown };
    } catch {
      return { file: label, index, value: text };
    }
  });
}

/**
 * The events in one input: an EventBridge envelope or a bare CloudTrail record (one event), a
 * CloudTrail log file `{"Records": [...]}`, an `aws cloudtrail lookup-events` answer
 * `{"Events": [...]}`, or a JSON array of events.
 */
export function eventRecords(label: string, value: unknown): InputRecord[] {
  if (Array.isArray(value)) return value.map((item, index) => ({ file: label, index, value: item }));
  if (isObject(value) && 'Records' in value) {
    const records = value.Records;
    if (!Array.isArray(records)) throw new CliError(`${label}: Records: expected the array of a CloudTrail log file`);
    return records.map((item, index) => ({ file: label, index, value: item }));
  }
  if (isObject(value) && 'Events' in value && !('detail' in value) && !('eventName' in value))
    return lookupEventsRecords(label, value.Events);
  return [{ file: label, index: null, value }];
}

/** The events in one file (see `eventRecords`). */
export function readEventFile(file: string): InputRecord[] {
  return eventRecords(file, readJsonFile(file));
}

export function inputLabel(input: Pick<InputRecord, 'file' | 'index'>): string {
  return input.index === null ? input.file : `${input.file} [record ${input.index}]`;
}
