/**
 * Every command of the README's "Try it in one minute" section (the audit recipe included), run
 * as written, from the README's own text, in a fresh directory laid out like a clone. The AWS
 * CLI is stood in for by a script that answers `aws s3 sync` with a copy of real fixtures (gzipped
 * log files in day folders, as the sync lays them out) and `aws cloudtrail lookup-events` with
 * the same records as that command prints them.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixture } from '../helpers/fixtures';
import { ROOT, tempDir } from './run-cli';

interface ShellBlock {
  readonly commands: readonly { readonly line: string; readonly expectedExit?: number }[];
  /** The plain fenced block right after it, when there is one: what its last command prints. */
  readonly output?: string;
}

/** The fenced `sh` blocks of one README section, each command with the exit status its comment names. */
function shellBlocks(readme: string, heading: string): ShellBlock[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section ${heading}`);
  const next = readme.indexOf('\n## ', start + heading.length + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks: ShellBlock[] = [];
  for (const match of section.matchAll(/```sh\n([\s\S]*?)```\n(?:\n```\n([\s\S]*?)```\n)?/g)) {
    const commands: { line: string; expectedExit?: number }[] = [];
    let comment = '';
    for (const line of (match[1] ?? '').split('\n')) {
      if (line.startsWith('#')) comment = line;
      else if (line.trim() !== '') {
        const exit = /exit(?: status)? (\d)/.exec(comment)?.[1];
        commands.push({ line, ...(exit !== undefined ? { expectedExit: Number(exit) } : {}) });
        comment = '';
      }
    }
    blocks.push({ commands, ...(match[2] !== undefined ? { output: match[2] } : {}) });
  }
  return blocks;
}

/** A directory that looks like a clone after `npm ci && npm run build`: the repository's files, by link. */
function cloneLike(): string {
  const dir = tempDir();
  for (const entry of ['package.json', 'bin', 'dist', 'examples', 'node_modules']) symlinkSync(join(ROOT, entry), join(dir, entry));
  return dir;
}

const TRAIL_DAYS: Readonly<Record<string, readonly string[]>> = {
  '01': ['authorize-ingress-ssh-world-go-sdk-no-rule-ids', 'create-security-group-console-2021'],
  '02': ['authorize-ingress-ssh-world-rule-ids-console-assumedrole', 'revoke-egress-ssh-rdp-console'],
};

/** The stand-in `aws` on PATH, with the records it serves. */
function fakeAwsCli(dir: string): string {
  const bin = join(dir, 'fake-bin');
  const data = join(dir, 'fake-aws-data');
  mkdirSync(join(data, 'sync'), { recursive: true });
  for (const [day, names] of Object.entries(TRAIL_DAYS)) {
    mkdirSync(join(data, 'sync', day));
    const records = names.map(fixture);
    writeFileSync(
      join(data, 'sync', day, `123456789012_CloudTrail_eu-west-1_202505${day}T0000Z_x.json.gz`),
      gzipSync(JSON.stringify({ Records: records })),
    );
  }
  const recorded = Object.values(TRAIL_DAYS).flat().map(fixture);
  writeFileSync(
    join(data, 'lookup-events.json'),
    JSON.stringify({ Events: recorded.map((r) => ({ EventId: r.eventID, EventName: r.eventName, CloudTrailEvent: JSON.stringify(r) })) }),
  );
  mkdirSync(bin);
  const script = join(bin, 'aws');
  writeFileSync(
    script,
    `#!/usr/bin/env node
// Stands in for the AWS CLI in the README test: no AWS account is reached.
const { cpSync, readFileSync } = require('node:fs');
const [service, command, ...rest] = process.argv.slice(2);
if (service === 's3' && command === 'sync') cpSync(${JSON.stringify(join(data, 'sync'))}, rest[1], { recursive: true });
else if (service === 'cloudtrail' && command === 'lookup-events') process.stdout.write(readFileSync(${JSON.stringify(join(data, 'lookup-events.json'))}));
else { process.stderr.write('fake aws: unexpected ' + process.argv.slice(2).join(' ') + '\\n'); process.exit(255); }
`,
  );
  chmodSync(script, 0o755);
  return bin;
}

function bash(line: string, cwd: string, path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-o', 'pipefail', '-c', line],
      { cwd, env: { PATH: path, HOME: cwd, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

/** npm's own `> pkg@version script` lines and the blank line after them. */
function withoutNpmHeader(stdout: string): string {
  return stdout.replace(/^\n?(> .*\n)+\n/, '');
}

/** `npm ci && npm run build` is what `npm test` has already done here; every other command runs. */
const INSTALL = 'npm ci && npm run build';

describe('README: every "Try it in one minute" command, audit recipe included, runs as written', function () {
  this.timeout(240_000);

  it('runs each command in order in a clone-like directory, with the exit status and output the README gives', async () => {
    // Prepare
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = shellBlocks(readme, '## Try it in one minute');
    const dir = cloneLike();
    const path = `${fakeAwsCli(dir)}:${process.env.PATH}`;
    const lines = blocks.flatMap((b) => b.commands.map((c) => c.line));
    expect(lines[0]).to.equal(INSTALL);
    expect(lines.some((l) => l.startsWith('aws s3 sync '))).to.equal(true);
    expect(lines.some((l) => l.includes(' check ') && l.includes('./trail/'))).to.equal(true);

    // Act and Assess, command by command: a later one reads what an earlier one wrote.
    for (const block of blocks) {
      let last = '';
      for (const command of block.commands) {
        if (command.line === INSTALL) continue;
        const run = await bash(command.line, dir, path);
        const expected = command.expectedExit ?? 0;
        expect(run.code, `${command.line}\n${run.stderr}`).to.equal(expected);
        expect(run.stderr, command.line).to.not.match(/not valid JSON|no such file|unexpected error/);
        last = withoutNpmHeader(run.stdout);
      }
      if (block.output !== undefined) expect(last).to.equal(block.output);
    }
    expect(JSON.parse(readFileSync(join(dir, 'my-policy.json'), 'utf8'))).to.have.property('mode', 'enforce');
    const sarif = JSON.parse(readFileSync(join(dir, 'sg-sentry.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((r: any) => r.partialFingerprints['sgSentryRule/v1'])).to.have.length(2);
  });
});
