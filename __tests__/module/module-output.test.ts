/**
 * What `npm run synth` (build, then `tsx main.ts`) leaves in dist/terraform-module: the same
 * bytes every time, the archive the function needs, and a README generated from the module.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { writeModule } from '../../modules/synthesize-module';
import { BUNDLE_FILE, REPO_ROOT, synthesizedWorkspace } from './support/workspace';

const run = promisify(execFile);

/** Every file under `dir`, by relative path, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

describe('synthesized module output (main.ts)', function () {
  this.timeout(60_000);
  let scratch: string;
  let first: Map<string, Buffer>;
  let second: Map<string, Buffer>;

  before(async () => {
    // Act: two separate synth processes, into directories with different names.
    scratch = mkdtempSync(join(tmpdir(), 'sg-sentry-synth-'));
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    await Promise.all(['a/terraform-module', 'b/module'].map((out) => run(tsx, ['main.ts', '--out', join(scratch, out)], { cwd: REPO_ROOT })));
    first = tree(join(scratch, 'a', 'terraform-module'));
    second = tree(join(scratch, 'b', 'module'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is byte-identical across two synths of the same sources', () => {
    expect([...second.keys()]).to.deep.equal([...first.keys()]);
    for (const [path, bytes] of first) {
      expect(second.get(path)?.equals(bytes), path).to.equal(true);
    }
  });

  it('holds exactly the Terraform JSON, the function archive and the README: no cdktf output', () => {
    expect([...first.keys()].sort()).to.deep.equal(['README.md', 'assets/function.zip', 'main.tf.json']);
  });

  it('archives the built bundle as index.js at the root of the zip', () => {
    const zip = first.get('assets/function.zip')!;
    const bundle = readFileSync(BUNDLE_FILE);

    expect(zip.subarray(30, 30 + 'index.js'.length).toString()).to.equal('index.js');
    expect(zip.includes(bundle)).to.equal(true);
  });

  it('writes the same module as the in-process synthesis the other tests use', () => {
    const { moduleDir } = synthesizedWorkspace();

    expect(readFileSync(join(moduleDir, 'main.tf.json')).equals(first.get('main.tf.json')!)).to.equal(true);
  });

  it('refuses to replace a directory that holds something other than a module', () => {
    // Prepare
    const precious = join(scratch, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'notes.txt'), 'keep me');

    // Act
    const attempt = () => writeModule({ outDir: precious, bundleFile: BUNDLE_FILE });

    // Assess
    expect(attempt).to.throw(/neither empty nor a synthesized module/);
    expect(existsSync(join(precious, 'notes.txt'))).to.equal(true);
  });
});
