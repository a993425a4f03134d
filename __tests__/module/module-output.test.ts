/**
 * What `npm run synth` (build, then `tsx main.ts`) leaves in dist/terraform-module: the same
 * bytes every time, the archive the function needs, and a README generated from the module; and
 * the released copies under terraform/, which must be exactly that.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { version as VERSION } from '../../package.json';
import { RELEASED_MODULES, moduleFiles, writeModule } from '../../modules/synthesize-module';
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
  this.timeout(300_000);
  let scratch: string;
  let first: Map<string, Buffer>;
  let second: Map<string, Buffer>;

  before(async () => {
    // Act: two separate synth processes, into directories with different names.
    scratch = mkdtempSync(join(tmpdir(), 'sg-sentry-synth-'));
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    await Promise.all(
      ['a/terraform-module', 'b/module'].map((out) => run(tsx, ['main.ts', '--out', join(scratch, out)], { cwd: REPO_ROOT })),
    );
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

  it('holds exactly the Terraform JSON, its requirements, the function archive and the README: no cdktf output', () => {
    expect([...first.keys()].sort()).to.deep.equal(['README.md', 'assets/function.zip', 'main.tf.json', 'versions.tf.json']);
  });

  it('states the requirements in versions.tf.json (a provider range, no exact pin) and reports the package version', () => {
    const versions = JSON.parse(first.get('versions.tf.json')!.toString()) as {
      terraform: { required_providers: { aws: { version: string } } };
    };
    const main = JSON.parse(first.get('main.tf.json')!.toString()) as { terraform?: unknown; output: { version: { value: string } } };

    expect(versions.terraform.required_providers.aws).to.deep.equal({ source: 'hashicorp/aws', version: '>= 5.100, < 7.0' });
    expect(main).not.to.have.property('terraform');
    expect(main.output.version.value).to.equal(VERSION);
  });

  it('keeps every released module under terraform/ byte-identical to a fresh synth (npm run release:modules refreshes them)', () => {
    const released = readdirSync(join(REPO_ROOT, 'terraform')).sort();

    expect(released).to.deep.equal(RELEASED_MODULES.map((m) => m.folder).sort());
    for (const module of RELEASED_MODULES) {
      const committed = tree(join(REPO_ROOT, 'terraform', module.folder));
      const fresh = moduleFiles(module, BUNDLE_FILE);
      const stale = [...new Set([...committed.keys(), ...fresh.keys()])].filter(
        (path) => !committed.get(path)?.equals(fresh.get(path) ?? Buffer.alloc(0)),
      );
      expect(stale, `terraform/${module.folder} is stale: run npm run release:modules and commit terraform/`).to.deep.equal([]);
    }
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
