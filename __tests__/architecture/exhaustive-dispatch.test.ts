/**
 * A watched event name without a parser must not compile: otherwise it would reach the handler
 * and be read as something it is not. The proof runs the type checker over a copy of function/
 * in which one name was added to WATCHED_EVENT_NAMES, and over an unchanged copy as the control.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENT_PARSERS } from '../../function/core/event/dispatch';
import { WATCHED_EVENT_NAMES } from '../../function/core/event/watched-events';

const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/** A copy of function/ that type-checks on its own; `edit` may change watched-events.ts first. */
function copyOfFunction(edit?: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sentry-dispatch-'));
  cpSync(join(ROOT, 'function'), join(dir, 'function'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const watched = join(dir, 'function', 'core', 'event', 'watched-events.ts');
  if (edit) writeFileSync(watched, edit(readFileSync(watched, 'utf8')));
  // Node's own types (the core hashes abridged records with node:crypto), nothing else.
  const compilerOptions = {
    strict: true,
    module: 'commonjs',
    target: 'ES2022',
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['function/core/event/parse-event.ts'] }));
  return dir;
}

async function typeCheck(dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(TSC, ['-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('event dispatch', () => {
  it('has exactly one parser per watched event name', () => {
    // Act
    const parsed = Object.keys(EVENT_PARSERS).sort();

    // Assess
    expect(parsed).to.deep.equal([...WATCHED_EVENT_NAMES].sort());
  });

  it('fails the type check when a watched event name has no parser', async function () {
    this.timeout(120_000);
    // Prepare
    const unchanged = copyOfFunction();
    const withNewName = copyOfFunction((source) => {
      const edited = source.replace(/(export const WATCHED_EVENT_NAMES = \[[^\]]*)\]/, "$1, 'NotYetParsedEvent']");
      if (edited === source) throw new Error('WATCHED_EVENT_NAMES is no longer an array literal; adjust this test');
      return edited;
    });

    // Act
    const control = await typeCheck(unchanged);
    const broken = await typeCheck(withNewName);

    // Assess
    expect(control, control.output).to.deep.include({ code: 0 });
    expect(broken.code).to.not.equal(0);
    expect(broken.output).to.match(/dispatch\.ts.*error TS\d+:.*NotYetParsedEvent/s);
  });
});
