import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_DOCUMENT } from '../../function/core/policy/default-policy';
import { FIXTURES } from '../helpers/fixtures';
import { ROOT, sgSentry, STACK_FRAME, tempDir, writeTemp } from './run-cli';

const SSH_WORLD = `${FIXTURES}/cloudtrail/authorize-ingress-ssh-world-rule-ids-console-assumedrole.json`;

describe('sg-sentry policy (the built binary)', () => {
  it('prints the embedded policy as JSON', async () => {
    const run = await sgSentry(['policy', 'default']);

    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(DEFAULT_POLICY_DOCUMENT);
  });

  for (const name of readdirSync(join(ROOT, 'examples', 'policies')).filter((f) => f.endsWith('.json'))) {
    it(`says examples/policies/${name} is valid`, async () => {
      const run = await sgSentry(['policy', 'validate', `examples/policies/${name}`]);

      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(
        new RegExp(`^examples/policies/${name}: valid policy \\(mode (enforce|report), action (revoke|restrict), `),
      );
      expect(run.stderr).to.equal('');
    });
  }

  it('keeps examples/policies/default.json equal to the embedded policy', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'examples', 'policies', 'default.json'), 'utf8'));

    expect(file).to.deep.equal(DEFAULT_POLICY_DOCUMENT);
  });

  it('lists every problem of an invalid policy, exiting 2 without a stack trace', async () => {
    const file = writeTemp(
      tempDir(),
      'policy.json',
      JSON.stringify({ mdoe: 'report', action: 'restrict', ingress: { allow: [{ cidr: '10.0.0.0/33', ports: ['22'] }] } }),
    );

    const run = await sgSentry(['policy', 'validate', file]);

    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    const problems = run.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems.length).to.be.greaterThanOrEqual(3);
    expect(run.stderr).to.contain('mdoe: unknown key; did you mean "mode"?');
    expect(run.stderr).to.contain('ingress.allow[0].cidr');
    expect(run.stderr).to.contain('restrict_to: action "restrict" needs at least one CIDR');
    expect(run.stderr).to.not.match(STACK_FRAME);
  });

  it('exits 2 on a policy file that is not JSON, naming the position', async () => {
    const file = writeTemp(tempDir(), 'policy.json', '{"mode": "report",}');

    const run = await sgSentry(['policy', 'validate', file]);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/: not valid JSON: .* at position 18 \(line 1, column 19\)\n$/);
  });
});

describe('sg-sentry usage (the built binary)', () => {
  it('prints help for the program and for each command, exiting 0', async () => {
    const runs = await Promise.all(
      [['--help'], ['check', '--help'], ['scan', '--help'], ['policy', '--help'], ['help', 'scan']].map((args) => sgSentry(args)),
    );

    expect(runs.map((r) => r.code)).to.deep.equal([0, 0, 0, 0, 0]);
    expect(runs[0]?.stdout).to.contain('Usage: sg-sentry <command> [options]');
    expect(runs[1]?.stdout).to.contain('Usage: sg-sentry check [--policy FILE] [--format text|json|sarif] INPUT...');
    expect(runs[2]?.stdout).to.contain('Usage: sg-sentry scan [--policy FILE] [--regions R1,R2|all] [--profile P] [--fix]');
    expect(runs[3]?.stdout).to.contain('sg-sentry policy validate FILE');
    expect(runs[4]?.stdout).to.equal(runs[2]?.stdout);
  });

  it('names an unknown flag and exits 2, without a stack trace', async () => {
    const run = await sgSentry(['check', '--frobnicate', SSH_WORLD]);

    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.equal('sg-sentry: check: unknown option --frobnicate (see sg-sentry check --help)\n');
  });

  it('names an unknown command and exits 2', async () => {
    const run = await sgSentry(['sacn']);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('sg-sentry: unknown command sacn (commands: check, scan, policy, smoke-test; see sg-sentry --help)\n');
  });

  it('prints the help on stderr and exits 2 when no command is given', async () => {
    const run = await sgSentry([]);

    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.contain('Usage: sg-sentry <command> [options]');
  });

  it("shows the underlying error's stack only with --debug", async () => {
    const file = writeTemp(tempDir(), 'bad.json', '{');

    const plain = await sgSentry(['check', file]);
    const debug = await sgSentry(['check', '--debug', file]);

    expect(plain.stderr).to.not.match(STACK_FRAME);
    expect(debug.code).to.equal(2);
    expect(debug.stderr).to.match(STACK_FRAME);
  });

  it('runs through the package bin launcher and the npm script the README uses', async () => {
    const run = await sgSentry(['--version']);
    const launcher = await new Promise<{ stdout: string }>((resolve, reject) =>
      require('node:child_process').execFile(
        process.execPath,
        [join(ROOT, 'bin', 'sg-sentry.js'), '--version'],
        { cwd: ROOT },
        (e: Error | null, stdout: string) => (e ? reject(e) : resolve({ stdout })),
      ),
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

    expect(run.stdout).to.equal(`${pkg.version}\n`);
    expect(launcher.stdout).to.equal(run.stdout);
    expect(pkg.bin).to.deep.equal({ 'sg-sentry': 'bin/sg-sentry.js' });
    expect(pkg.scripts['sg-sentry']).to.equal('node bin/sg-sentry.js');
  });
});
