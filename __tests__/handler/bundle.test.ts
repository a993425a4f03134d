import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ec2Error, FakeAws } from '../helpers/fake-aws';
import { envelope, fixture } from '../helpers/fixtures';

const run = promisify(execFile);
const BUNDLE = join(__dirname, '..', '..', 'dist', 'function', 'index.js');

/** Loads the built bundle in a fresh node process and runs one event through `handler`. */
async function invokeBundle(event: unknown, env: NodeJS.ProcessEnv) {
  const script = `
    const { handler } = require(${JSON.stringify(BUNDLE)});
    handler(JSON.parse(process.argv[1]), {})
      .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'))
      .catch((e) => { process.stdout.write('THROWN ' + e.name + '\\n'); process.exitCode = 3; });`;
  const child = await run(process.execPath, ['-e', script, JSON.stringify(event)], { env }).catch((e) => e);
  const stdout: string = child.stdout ?? '';
  const result = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return {
    stdout,
    result: result ? JSON.parse(result.slice(7)) : undefined,
    logs: stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l)),
  };
}

describe('the built bundle', () => {
  const aws = new FakeAws();
  let endpoint = '';

  before(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: npm test builds it first (npm run build)`);
    endpoint = await aws.start();
  });
  after(() => aws.stop());
  beforeEach(() => aws.reset());

  it('runs a real fixture end to end in a fresh process: one tag read, one revoke, one publish', async () => {
    // Prepare
    const event = envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));
    const env = FakeAws.env(endpoint, { SENTRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:776520358045:alerts' });

    // Act
    const { result, logs } = await invokeBundle(event, env);

    // Assess
    expect(aws.calls.map((c) => c.action)).to.deep.equal(['DescribeSecurityGroups', 'RevokeSecurityGroupIngress', 'Publish']);
    expect(aws.calls[1]?.params).to.include({
      GroupId: 'sg-0632fa4ee8a8468a4',
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    expect(Object.keys(aws.calls[1]?.params ?? {}).some((key) => key.startsWith('SecurityGroupRuleId'))).to.equal(false);
    expect(aws.calls[2]?.params).to.include({ TopicArn: 'arn:aws:sns:us-east-1:776520358045:alerts', MessageStructure: 'json' });
    expect(result.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(logs.filter((l) => l.message === 'sg-sentry event')).to.have.length(1);
  });

  it('reports an already-removed rule from a real EC2 error response', async () => {
    aws.respond((call) =>
      call.action === 'RevokeSecurityGroupIngress' ? { status: 400, body: ec2Error('InvalidPermission.NotFound') } : undefined,
    );
    const event = fixture('eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root');

    const { result } = await invokeBundle(event, FakeAws.env(endpoint));

    expect(result.findings[0]).to.include({ action: 'already-removed' });
  });

  it('fails at cold start, naming every problem, when the policy is invalid', async () => {
    const env = FakeAws.env(endpoint, { SENTRY_POLICY: '{"mdoe":"report","ingress":{"allow":[{"cidr":"10.0.0.0/33"}]}}' });

    const child = await run(process.execPath, ['-e', `require(${JSON.stringify(BUNDLE)})`], { env }).catch((e) => e);

    expect(child.code).to.not.equal(0);
    expect(child.stderr).to.contain('mdoe');
    expect(child.stderr).to.contain('ingress.allow[0].cidr');
  });
});
