/**
 * Restore commands run as a person would run them: pasted into bash, with an `aws` first on
 * PATH that only records the arguments bash gave it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `command` in bash with a stand-in `aws` first on PATH; returns the arguments it received. */
export function argumentsOfPaste(command: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sentry-aws-stand-in-'));
  try {
    const record = join(dir, 'arguments');
    const stub = join(dir, 'aws');
    writeFileSync(stub, `#!/bin/bash\nprintf '%s\\0' "$@" > '${record}'\n`);
    chmodSync(stub, 0o755);
    const run = spawnSync('bash', ['--noprofile', '--norc', '-c', command], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(run.status, run.stderr).to.equal(0);
    return readFileSync(record, 'utf8').split('\0').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value after `name` among the pasted arguments. */
export function option(words: readonly string[], name: string): string {
  const at = words.indexOf(name);
  expect(at, `${name} in ${words.join(' ')}`).to.be.greaterThan(-1);
  return words[at + 1]!;
}
