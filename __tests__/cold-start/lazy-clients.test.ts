import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(__dirname, 'loaded-clients-child.ts');
const SSH_FROM_ANYWHERE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const EVERY_FEATURE = {
  SENTRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:776520358045:sg-sentry',
  SENTRY_SLACK_WEBHOOK_PARAM: '/sg-sentry/slack-webhook',
  SENTRY_STATE_TABLE: 'sg-sentry-state',
  SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface Loaded {
  readonly atLoad: string[];
  readonly atRevoke?: string[];
  readonly atEnd: string[];
  readonly actions: string[];
  readonly calls: string[];
}

/** A fresh process: what another test loaded must not count. */
function runChild(env: Record<string, string>, fixtureName: string): Loaded {
  const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', CHILD, JSON.stringify(env), fixtureName], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  if (child.status !== 0) throw new Error(`the child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as Loaded;
}

describe('cold start: what loads before the revoke', function () {
  this.timeout(60_000);

  it('loads no SDK client but EC2 until the revoke has been sent, with every optional feature configured', () => {
    // Prepare
    const env = EVERY_FEATURE;

    // Act
    const loaded = runChild(env, SSH_FROM_ANYWHERE);

    // Assess
    expect(loaded.actions).to.deep.equal(['revoked']);
    expect(loaded.atLoad, 'after loading the entry').to.deep.equal(['client-ec2']);
    expect(loaded.atRevoke, 'when the Revoke is sent').to.deep.equal(['client-ec2']);
  });

  it('loads the SNS and SSM clients and Powertools Metrics after the revoke, when the notification and the metrics need them', () => {
    // Prepare
    const env = EVERY_FEATURE;

    // Act
    const loaded = runChild(env, SSH_FROM_ANYWHERE);

    // Assess
    expect(loaded.calls, 'the publish reached the stub').to.include('Publish');
    expect(loaded.atEnd).to.include.members(['client-ec2', 'client-sns', 'client-ssm', '@aws-lambda-powertools/metrics']);
  });

  it("reaches the revoke and the publish in the built bundle without starting Node's ES module loader", () => {
    // Prepare: the bundle as Lambda loads it, against an http:// endpoint (where the SDK loads node:http on first use).
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'bundle-loader-child.ts'), SSH_FROM_ANYWHERE], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });

    // Act
    if (child.status !== 0) throw new Error(`the child failed (${child.status}): ${child.stderr}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as { calls: string[]; loaded: string[] };

    // Assess
    expect(run.calls).to.deep.equal(['DescribeSecurityGroups', 'RevokeSecurityGroupIngress', 'Publish']);
    expect(run.loaded, 'ES module loader internals loaded by a dynamic import()').to.deep.equal([]);
  });
});
