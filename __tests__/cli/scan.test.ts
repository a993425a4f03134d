/**
 * `sg-sentry scan` end to end: the built binary, the real SDK (Ec2Adapter's own client, with
 * the SDK's default retries), and a loopback EC2 reached through AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import { ec2Error, FakeAws, securityGroupRulesResponder } from '../helpers/fake-aws';
import { accountRules, groupId, isIngressViolation, paginate, REGION } from '../sweep/account';
import { sgSentry, STACK_FRAME, tempDir, writeTemp } from './run-cli';

/** Three groups of the synthetic account (75 rules, 15 ingress violations), in two pages. */
const RULES = accountRules().filter((r) => [0, 1, 2].map(groupId).includes(r.groupId));
const PAGES = paginate(RULES, [50]);

function env(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = FakeAws.env(endpoint, { AWS_REGION: REGION, ...extra });
  // The SDK's own retry policy, as the adapter's client has it in production.
  if (!('AWS_MAX_ATTEMPTS' in extra)) delete base.AWS_MAX_ATTEMPTS;
  return base;
}

function describeCalls(aws: FakeAws) {
  return aws.calls.filter((c) => c.action === 'DescribeSecurityGroupRules');
}

describe('sg-sentry scan (the built binary against a loopback EC2)', () => {
  const aws = new FakeAws();
  let endpoint = '';

  before(async () => {
    endpoint = await aws.start();
  });
  after(() => aws.stop());
  beforeEach(() => {
    aws.reset();
    aws.respond(securityGroupRulesResponder(PAGES));
  });

  it('lists violations read-only: a table on stdout, progress on stderr, exit 1, no mutating call', async () => {
    // Act
    const run = await sgSentry(['scan'], env(endpoint));

    // Assess
    expect(run.code).to.equal(1);
    // Each page: its rules, then the tags of the groups with violations (the exception tag).
    expect(aws.calls.map((c) => c.action)).to.deep.equal(['DescribeSecurityGroupRules', 'DescribeSecurityGroups', 'DescribeSecurityGroupRules', 'DescribeSecurityGroups']);
    expect(describeCalls(aws)[1]?.params).to.include({ NextToken: 'page-2', MaxResults: '1000' });
    const rows = run.stdout.split('\n').filter((l) => l.startsWith(REGION));
    const violations = RULES.filter(isIngressViolation);
    expect(rows.filter((l) => / violation +reported$/.test(l))).to.have.length(violations.length);
    expect(run.stdout).to.match(/^REGION +GROUP +DIRECTION +RULE +TRAFFIC +SOURCE +VERDICT +ACTION$/m);
    expect(run.stdout).to.contain(`${REGION}  ${groupId(0)}  ingress    ${violations[0]?.securityGroupRuleId}  tcp/1000  0.0.0.0/0  violation  reported`);
    expect(run.stdout).to.contain(`${REGION}: 75 rules in 3 groups (2 page(s)): 15 violation(s), 0 exempt; nothing was changed (run with --fix to act)`);
    expect(run.stderr).to.contain(`scan: ${REGION} with embedded default policy (read-only)`);
    expect(run.stderr).to.contain(`scan ${REGION}: page 2, 75 rules in 3 groups, 15 violation(s)`);
  });

  it('revokes with --fix, one call per group and direction, and exits 0 when none remain', async () => {
    const run = await sgSentry(['scan', '--fix'], env(endpoint));

    expect(run.code).to.equal(0);
    const revokes = aws.calls.filter((c) => c.action === 'RevokeSecurityGroupIngress');
    expect(revokes.map((c) => c.params.GroupId)).to.deep.equal([0, 1, 2].map(groupId));
    const ids = revokes.flatMap((c) => Object.entries(c.params).filter(([k]) => k.startsWith('SecurityGroupRuleId.')).map(([, v]) => v));
    expect(ids.sort()).to.deep.equal(RULES.filter(isIngressViolation).map((r) => r.securityGroupRuleId).sort());
    expect(run.stdout).to.contain('15 revoked, 0 restricted, 0 already removed, 0 failed');
  });

  it('prints the sweep reports as JSON with --json, for each --region', async () => {
    const run = await sgSentry(['scan', '--json', '--region', 'us-east-1', '--region', 'eu-west-1'], env(endpoint));

    const document = JSON.parse(run.stdout);
    expect(document.regions.map((r: any) => [r.region, r.counts.violations, r.mode])).to.deep.equal([
      ['us-east-1', 15, 'report'],
      ['eu-west-1', 15, 'report'],
    ]);
    expect(document.exit_code).to.equal(1);
  });

  it('succeeds when the SDK retries a throttled page by itself', async () => {
    // Prepare: the first listing is throttled once, then answered.
    let throttled = false;
    aws.reset();
    aws.respond((call) => {
      if (call.action !== 'DescribeSecurityGroupRules' || throttled) return undefined;
      throttled = true;
      return { status: 400, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') };
    });
    aws.respond(securityGroupRulesResponder(PAGES));

    // Act
    const run = await sgSentry(['scan'], env(endpoint));

    // Assess
    expect(describeCalls(aws).map((c) => c.params.NextToken ?? 'first')).to.deep.equal(['first', 'first', 'page-2']);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('75 rules in 3 groups');
    expect(run.stderr).to.not.contain('failed');
  });

  it('reports a page that keeps failing after the retries, keeps the rest, and exits 3', async () => {
    aws.reset();
    aws.respond((call) => (call.action === 'DescribeSecurityGroupRules' && call.params.NextToken === 'page-2' ? { status: 503, body: ec2Error('Unavailable', 'Service unavailable.') } : undefined));
    aws.respond(securityGroupRulesResponder(PAGES));

    const run = await sgSentry(['scan'], env(endpoint));

    expect(run.code).to.equal(3);
    expect(describeCalls(aws).map((c) => c.params.NextToken ?? 'first')).to.deep.equal(['first', 'page-2', 'page-2', 'page-2']);
    expect(run.stderr).to.contain(`sg-sentry: ${REGION}: DescribeSecurityGroupRules (all groups, after a page) failed: Unavailable: Service unavailable.`);
    expect(run.stdout).to.contain('50 rules in 2 groups (1 page(s))');
    expect(run.stdout).to.contain('INCOMPLETE: listing failed: Unavailable: Service unavailable.');
  });

  it('exits 3 with the reason and a hint, no stack trace, when the caller may not list rules', async () => {
    aws.reset();
    aws.respond((call) => (call.action === 'DescribeSecurityGroupRules' ? { status: 403, body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.') } : undefined));

    const run = await sgSentry(['scan'], env(endpoint));

    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain(`sg-sentry: scan of ${REGION} failed: UnauthorizedOperation: You are not authorized to perform this operation. (the caller lacks a permission; see sg-sentry scan --help)`);
    expect(run.stderr).to.not.match(STACK_FRAME);
    expect(describeCalls(aws)).to.have.length(1);
  });

  it('exits 2 naming the fix when no region is given or configured', async () => {
    const bare = env(endpoint);
    delete bare.AWS_REGION;

    const run = await sgSentry(['scan'], bare);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('sg-sentry: scan: no region: pass --region R, or set AWS_REGION (see sg-sentry scan --help)\n');
    expect(aws.calls).to.deep.equal([]);
  });

  it('lists only the policy\'s groups, by filter', async () => {
    const policy = writeTemp(tempDir(), 'policy.json', JSON.stringify({ groups: [groupId(1)] }));

    const run = await sgSentry(['scan', '--policy', policy], env(endpoint));

    expect(describeCalls(aws)[0]?.params).to.include({ 'Filter.1.Name': 'group-id', 'Filter.1.Value.1': groupId(1) });
    expect(run.stdout).to.contain('25 rules in 1 groups');
  });
});
