/**
 * A Terraform team consumes the release without Node.js: from a fresh clone with no npm step,
 * every example under examples/terraform, its module source turned into the git source of a
 * release tag (`git::<clone>//terraform/sg-sentry?ref=v<version>`, as the README shows it),
 * inits, validates and plans (offline: the provider from the local mirror, STS from a loopback
 * stub). The clone is of the committed HEAD, tagged there, so this checks what a tag would hold.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { version as VERSION } from '../../package.json';
import { RELEASED_MODULES } from '../../modules/synthesize-module';
import { type PlannedResource, expectSuccess, initOffline, planOffline, terraform } from './support/terraform';
import { REPO_ROOT } from './support/workspace';

const run = promisify(execFile);

const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples', 'terraform')).sort();
const TAG = `v${VERSION}`;
/** How an example in the repository names a released module. */
const CHECKOUT_SOURCE = /"\.\.\/\.\.\/\.\.\/terraform\/([a-z-]+)"/g;

interface ExampleRun {
  /** The module folders its sources named. */
  readonly folders: string[];
  readonly validate: string;
  readonly plan: PlannedResource[];
  /** Where Terraform says it installed each module call from (.terraform/modules/modules.json). */
  readonly sources: string[];
}

describe('the released modules, from a fresh clone with no npm step', function () {
  this.timeout(900_000);
  let scratch: string;
  let clone: string;
  const runs = new Map<string, ExampleRun>();

  before(async () => {
    // Prepare: a clone of HEAD (no node_modules, no dist) tagged as the release, and each
    // example with its sources pointing at that tag.
    scratch = mkdtempSync(join(tmpdir(), 'sg-sentry-release-'));
    clone = join(scratch, 'clone');
    await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
    const head = (await run('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    await run('git', ['-C', clone, 'checkout', '--quiet', head]);
    await run('git', ['-C', clone, 'tag', '--force', TAG]);
    const folders = new Map<string, string[]>();
    for (const name of EXAMPLES) {
      const dir = join(scratch, name);
      cpSync(join(REPO_ROOT, 'examples', 'terraform', name), dir, { recursive: true });
      const named: string[] = [];
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
        const text = readFileSync(join(dir, file), 'utf8');
        writeFileSync(
          join(dir, file),
          text.replace(CHECKOUT_SOURCE, (_whole, folder: string) => {
            named.push(folder);
            return `"git::file://${clone}//terraform/${folder}?ref=${TAG}"`;
          }),
        );
      }
      folders.set(name, named);
    }
    writeFileSync(join(scratch, 'basic', 'zz_release_version.tf'), 'output "release_version" {\n  value = module.sg_sentry.version\n}\n');

    // Act: every init first (they share the plugin cache), then the plans side by side.
    for (const name of EXAMPLES) await initOffline(join(scratch, name));
    const settled = await Promise.allSettled(
      EXAMPLES.map(async (name) => {
        const dir = join(scratch, name);
        const validate = expectSuccess(await terraform(dir, ['validate', '-no-color']), `terraform validate of ${name}`).stdout;
        const plan = await planOffline(dir);
        const manifest = JSON.parse(readFileSync(join(dir, '.terraform', 'modules', 'modules.json'), 'utf8')) as {
          Modules: Array<{ Key: string; Source: string }>;
        };
        const sources = manifest.Modules.filter((m) => m.Key !== '').map((m) => m.Source);
        runs.set(name, { folders: folders.get(name) ?? [], validate, plan, sources });
      }),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('clones without anything npm would make', () => {
    // Assess
    expect(existsSync(join(clone, 'node_modules'))).to.equal(false);
    expect(existsSync(join(clone, 'dist'))).to.equal(false);
    for (const module of RELEASED_MODULES) {
      expect(existsSync(join(clone, 'terraform', module.folder, 'assets', 'function.zip')), module.folder).to.equal(module.archive);
    }
  });

  it('uses both released modules across the examples, each example at least one', () => {
    // Assess
    for (const name of EXAMPLES) expect(runs.get(name)!.folders, name).not.to.be.empty;
    expect([...new Set(EXAMPLES.flatMap((name) => runs.get(name)!.folders))].sort()).to.deep.equal(
      RELEASED_MODULES.map((m) => m.folder).sort(),
    );
  });

  for (const name of EXAMPLES) {
    it(`${name}: inits every module from the git source of the tag, validates and plans`, () => {
      // Act
      const example = runs.get(name)!;

      // Assess
      expect(example.validate).to.contain('The configuration is valid');
      expect(example.sources).not.to.be.empty;
      for (const source of example.sources)
        expect(source).to.match(new RegExp(`^git::file://.*//terraform/sg-sentry(-member)?\\?ref=${TAG}$`));
      expect(example.plan.filter((r) => r.mode === 'managed' && r.actions.includes('create')).length).to.be.greaterThan(5);
      expect(example.plan.some((r) => r.type === 'aws_lambda_function')).to.equal(example.folders.includes('sg-sentry'));
    });
  }

  it('sg-sentry: reports the package version', async () => {
    // Act
    const dir = join(scratch, 'basic');
    const shown = JSON.parse(expectSuccess(await terraform(dir, ['show', '-json', 'plan.tfplan']), 'terraform show').stdout) as {
      planned_values: { outputs: { release_version: { value: string } } };
    };

    // Assess
    expect(shown.planned_values.outputs.release_version.value).to.equal(VERSION);
  });
});
