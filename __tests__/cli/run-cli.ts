import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'sg-sentry.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI in a fresh node process, from `cwd` (the repository root), with only `env`, and `stdin` on its standard input. */
export function sgSentry(
  args: readonly string[],
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
  options: { stdin?: string | Buffer; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? ROOT, env, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin);
  });
}

/** A fresh temporary directory for files a test writes. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sg-sentry-cli-'));
}

export function writeTemp(dir: string, name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** No stack frame lines: errors reach users as messages. */
export const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;
