/**
 * A Terraform team consumes the release without Node.js: from a fresh clone with no npm step, a
 * root module whose source is the git URL of the clone's terraform/sg-sentry inits, validates and
 * plans (offline: the provider from the local mirror, STS from a loopback stub). The clone is of
 * the committed HEAD, so this checks what a tag would hold.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { version as VERSION } from '../../package.json';
import { RELEASED_MODULES } from '../../modules/synthesize-module';
import { type PlannedResource, expectSuccess, initOffline, planOffline, terraform } from './support/terraform';
import { REPO_ROOT } from './support/workspace';

const run = promisify(execFile);

/** What a module needs from its caller, as HCL arguments. */
const REQUIRED_INPUTS: Record<string, string> = {
  'sg-sentry-member': [
    '  central_event_bus_arn     = "arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry"',
    '  central_function_role_arn = "arn:aws:iam::111122223333:role/sg-sentry-eu-west-1"',
    '',
  ].join('\n'),
};

describe('the released modules, from a fresh clone with no npm step', function () {
  this.timeout(600_000);
  let scratch: string;
  let clone: string;
  const plans = new Map<string, PlannedResource[]>();
  const validations = new Map<string, string>();

  before(async () => {
    // Prepare: a clone of HEAD (no node_modules, no dist), and one root per released module.
    scratch = mkdtempSync(join(tmpdir(), 'sg-sentry-release-'));
    clone = join(scratch, 'clone');
    await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
    const head = (await run('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    await run('git', ['-C', clone, 'checkout', '--quiet', head]);

    // Act
    await Promise.all(
      RELEASED_MODULES.map(async (module) => {
        const dir = join(scratch, `root-${module.folder}`);
        mkdirSync(dir);
        writeFileSync(
          join(dir, 'main.tf'),
          `module "${module.folder.replace(/-/g, '_')}" {\n  source = "git::file://${clone}//terraform/${module.folder}"\n${REQUIRED_INPUTS[module.folder] ?? ''}}\n\noutput "version" {\n  value = module.${module.folder.replace(/-/g, '_')}.version\n}\n`,
        );
        await initOffline(dir);
        validations.set(
          module.folder,
          expectSuccess(await terraform(dir, ['validate', '-no-color']), `terraform validate of ${module.folder}`).stdout,
        );
        plans.set(module.folder, await planOffline(dir));
      }),
    );
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('clones without anything npm would make', () => {
    expect(existsSync(join(clone, 'node_modules'))).to.equal(false);
    expect(existsSync(join(clone, 'dist'))).to.equal(false);
    for (const module of RELEASED_MODULES) {
      expect(existsSync(join(clone, 'terraform', module.folder, 'assets', 'function.zip')), module.folder).to.equal(module.archive);
    }
  });

  for (const module of RELEASED_MODULES) {
    it(`${module.folder}: inits from the git source, validates and plans`, () => {
      const plan = plans.get(module.folder)!;

      expect(validations.get(module.folder)).to.contain('The configuration is valid');
      expect(plan.filter((r) => r.mode === 'managed' && r.actions.includes('create')).length).to.be.greaterThan(5);
      expect(plan.some((r) => r.type === 'aws_lambda_function')).to.equal(module.archive);
    });
  }

  it('sg-sentry: reports the package version', async () => {
    const dir = join(scratch, 'root-sg-sentry');
    const shown = JSON.parse(expectSuccess(await terraform(dir, ['show', '-json', 'plan.tfplan']), 'terraform show').stdout) as {
      planned_values: { outputs: { version: { value: string } } };
    };

    expect(shown.planned_values.outputs.version.value).to.equal(VERSION);
  });
});
