/**
 * The npm package as a consumer gets it: `npm pack` of the built checkout (npm test builds
 * first), installed from the tarball without network (its dependencies from a loopback registry
 * that serves this checkout's copies) globally for the CLI, and into an empty cdktf app that
 * synthesizes a stack with the construct.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalRegistry, startLocalRegistry } from './support/local-registry';
import { REPO_ROOT } from './support/workspace';

const run = promisify(execFile);
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-aws'];
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  main: string;
  types: string;
  exports: Record<string, { types?: string; default?: string } | string>;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  private?: boolean;
  repository?: unknown;
};

/** The environment without the settings `npm test` passes down to its scripts (they would redirect installs). */
const NPM_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
function npm(args: readonly string[], cwd: string, extra: readonly string[] = []) {
  return run('npm', [...args, ...extra, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: NPM_ENV, maxBuffer: 32 * 1024 * 1024 });
}

describe('npm package', function () {
  this.timeout(600_000);
  let scratch: string;
  let tarball: string;
  let files: string[];
  let registry: LocalRegistry;
  /** npm flags for an install that resolves dependencies only from the loopback registry. */
  let fromRegistry: string[];

  before(async () => {
    // Prepare: the tarball npm publish would upload (scripts skipped: npm test has just built).
    scratch = mkdtempSync(join(tmpdir(), 'sg-sentry-package-'));
    const packed = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], REPO_ROOT);
    const [entry] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(scratch, entry!.filename);
    files = entry!.files.map((f) => f.path).sort();
    const dependencies = Object.keys(
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: object }).dependencies,
    );
    registry = await startLocalRegistry(dependencies, join(REPO_ROOT, 'node_modules'), scratch, NPM_ENV);
    fromRegistry = [`--registry=${registry.url}`, `--cache=${join(scratch, 'npm-cache')}`, '--prefer-online'];
  });

  after(() => {
    registry?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is publishable: not private, with a repository, version 0.2.0 or later', () => {
    const [major, minor] = manifest.version.split('.').map(Number) as [number, number];

    expect(manifest.private).to.equal(undefined);
    expect(manifest.repository).to.be.an('object');
    expect(major > 0 || minor >= 2, manifest.version).to.equal(true);
  });

  it('holds the compiled JavaScript with declarations, the function bundle, the CLI, README, LICENSE and CHANGELOG', () => {
    const js = files.filter((f) => f.startsWith('dist/lib/') && f.endsWith('.js'));

    expect(files).to.include.members([
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/sg-sentry.js',
      'dist/cli/sg-sentry.js',
      'dist/function/index.js',
      'dist/lib/modules/index.js',
      'dist/lib/modules/index.d.ts',
      'dist/lib/modules/security-group-sentry.js',
    ]);
    expect(js.length).to.be.greaterThan(10);
    expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).to.deep.equal([]);
  });

  it('holds no tests, fixtures or TypeScript sources', () => {
    expect(files.filter((f) => /__tests__|fixtures|\.test\.|(?<!\.d)\.ts$|^examples\/|^bench\//.test(f))).to.deep.equal([]);
  });

  it('points main, types, exports and bin at files the tarball holds', () => {
    const entry = manifest.exports['.'] as { types: string; default: string };

    for (const path of [manifest.main, manifest.types, entry.types, entry.default, ...Object.values(manifest.bin)]) {
      expect(files, path).to.include(path.replace(/^\.\//, ''));
    }
  });

  it('leaves cdktf, constructs and the provider bindings to the consumer, as optional peers', () => {
    expect(Object.keys(manifest.peerDependencies).sort()).to.deep.equal(['@cdktf/provider-aws', 'cdktf', 'constructs']);
    for (const name of Object.keys(manifest.peerDependencies)) expect(manifest.peerDependenciesMeta[name]?.optional, name).to.equal(true);
  });

  it('runs the CLI after a global install', async () => {
    // Prepare
    const prefix = join(scratch, 'global');

    // Act
    await npm(['install', '--global', '--prefix', prefix, tarball], scratch, fromRegistry);
    const version = await run(join(prefix, 'bin', 'sg-sentry'), ['--version'], { cwd: scratch });

    // Assess
    expect(version.stdout.trim()).to.equal(manifest.version);
  });

  it('synthesizes a stack with the construct in an empty cdktf app, type-checked against the declarations', async () => {
    // Prepare: an app that depends on the tarball; its cdktf, constructs and provider bindings
    // are this checkout's, linked in after the install (the peers are optional, so npm adds none).
    const app = join(scratch, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer-app', private: true, dependencies: { 'sg-sentry': `file:${tarball}` } }),
    );
    copyFileSync(join(__dirname, 'fixtures', 'consumer-app', 'main.ts.txt'), join(app, 'main.ts'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true, types: [], outDir: 'out' },
        files: ['main.ts'],
      }),
    );

    // Act
    await npm(['install'], app, fromRegistry);
    mkdirSync(join(app, 'node_modules', '@cdktf'), { recursive: true });
    for (const peer of PEERS) symlinkSync(join(REPO_ROOT, 'node_modules', peer), join(app, 'node_modules', peer), 'dir');
    await run(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: app });
    await run(process.execPath, [join('out', 'main.js')], { cwd: app });

    // Assess
    const stackDir = join(app, 'cdktf.out', 'stacks', 'security');
    const tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as {
      terraform: { required_providers: { aws: { version: string } } };
      resource: Record<string, Record<string, { filename?: string }>>;
    };
    const fn = Object.values(tf.resource.aws_lambda_function ?? {})[0]!;
    const archive = readFileSync(join(stackDir, fn.filename!));
    const bundle = readFileSync(join(app, 'node_modules', 'sg-sentry', 'dist', 'function', 'index.js'));
    expect(archive.includes(bundle), 'the archive holds the bundle shipped in the package').to.equal(true);
    expect(tf.terraform.required_providers.aws.version).to.equal('>= 5.100, < 7.0');
    expect(Object.keys(tf.resource)).to.include.members(['aws_kms_key', 'aws_sns_topic_policy', 'aws_iam_role']);
    expect(existsSync(join(app, 'node_modules', 'sg-sentry', '__tests__'))).to.equal(false);
  });
});
