/**
 * Reading what users have at hand: JSON files, gzipped or not (CloudTrail delivers its log files
 * to S3 gzipped), with errors that name the file and the place in it.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CliError } from './errors';

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readProblem(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
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

/** The parsed JSON of a file, gunzipped first when it starts with the gzip magic bytes. */
export function readJsonFile(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(`${file}: ${readProblem(error)}`, undefined, { cause: error });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new CliError(`${file}: looks gzipped but does not decompress: ${readProblem(error)}`, undefined, { cause: error });
    }
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new CliError(`${file}: empty file, expected JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON: ${withLineAndColumn(readProblem(error), text)}`, undefined, { cause: error });
  }
}

export interface InputRecord {
  readonly file: string;
  /** Position in a CloudTrail log file's `Records` (or a JSON array); null for a file holding one event. */
  readonly index: number | null;
  readonly value: unknown;
}

/**
 * The events in one file: an EventBridge envelope or a bare CloudTrail record (one event), a
 * CloudTrail log file `{"Records": [...]}`, or a JSON array of either.
 */
export function readEventFile(file: string): InputRecord[] {
  const value = readJsonFile(file);
  if (Array.isArray(value)) return value.map((item, index) => ({ file, index, value: item }));
  if (typeof value === 'object' && value !== null && 'Records' in value) {
    const records = (value as { Records: unknown }).Records;
    if (!Array.isArray(records)) throw new CliError(`${file}: Records: expected the array of a CloudTrail log file`);
    return records.map((item, index) => ({ file, index, value: item }));
  }
  return [{ file, index: null, value }];
}

export function inputLabel(input: Pick<InputRecord, 'file' | 'index'>): string {
  return input.index === null ? input.file : `${input.file} [record ${input.index}]`;
}
