/**
 * `sg-sentry scan` end to end: the built binary, the real SDK (Ec2Adapter's own client, with
 * the SDK's default retries), and a loopback EC2 reached through AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import {
  callerIdentityResponder,
  ec2Error,
  ec2Ok,
  FakeAws,
  securityGroupNamesResponder,
  securityGroupRulesResponder,
} from '../helpers/fake-aws';
import { accountRules, groupId, isIngressViolation, paginate, REGION } from '../sweep/account';
import { sgSentry, STACK_FRAME, tempDir, writeTemp } from './run-cli';

/** Three groups of the synthetic account (75 rules, 15 ingress violations), in two pages. */
const RULES = accountRules().filter((r) => [0, 1, 2].map(groupId).includes(r.groupId));
const PAGES = paginate(RULES, [50]);
const ACCOUNT = '123456789012';
const groupName = (id: string) => `web-${id.slice(-4)}`;

function env(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Node.js 20's SDK deprecation notice is not sg-sentry's output (docs/cli.md says how users silence it).
  const base = FakeAws.env(endpoint, { AWS_REGION: REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra });
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
    aws
      .respond(callerIdentityResponder(ACCOUNT))
      .respond(securityGroupNamesResponder(groupName))
      .respond(securityGroupRulesResponder(PAGES));
  });

  /** Back to the standard answers, with `first` ahead of them. */
  function answerWith(first: Parameters<FakeAws['respond']>[0]): void {
    aws.reset();
    aws
      .respond(first)
      .respond(callerIdentityResponder(ACCOUNT))
      .respond(securityGroupNamesResponder(groupName))
      .respond(securityGroupRulesResponder(PAGES));
  }

  it('lists violations read-only: a table with group names and reasons on stdout, no progress lines in a pipe, exit 1, no mutating call', async () => {
    // Act
    const run = await sgSentry(['scan'], env(endpoint));

    // Assess
    expect(run.code).to.equal(1);
    // The account first; then, per page, its rules and the tags of the groups with violations
    // (the exception tag), the second page listed while the first is handled. Those reads named
    // the groups with findings already: no further call for the table's names.
    const actions = aws.calls.map((c) => c.action);
    expect(actions[0]).to.equal('GetCallerIdentity');
    expect(actions.slice(1).sort()).to.deep.equal([
      'DescribeSecurityGroupRules',
      'DescribeSecurityGroupRules',
      'DescribeSecurityGroups',
      'DescribeSecurityGroups',
    ]);
    expect(describeCalls(aws)[1]?.params).to.include({ NextToken: 'page-2', MaxResults: '1000' });
    const rows = run.stdout.split('\n').filter((l) => l.startsWith(REGION));
    const violations = RULES.filter(isIngressViolation);
    expect(rows.filter((l) => / violation +reported +would revoke: /.test(l))).to.have.length(violations.length);
    expect(run.stdout).to.match(/^REGION +GROUP +NAME +DIRECTION +RULE +TRAFFIC +SOURCE +VERDICT +ACTION +REASON$/m);
    expect(run.stdout).to.contain(
      `${REGION}  ${groupId(0)}  ${groupName(groupId(0))}  ingress    ${violations[0]?.securityGroupRuleId}  tcp/1000  0.0.0.0/0  violation  reported  would revoke: tcp/1000 from 0.0.0.0/0 is not covered by any ingress.allow entry`,
    );
    expect(run.stdout).to.contain(
      `${REGION}: 75 rules in 3 groups (2 page(s)): 15 violation(s), 0 exempt; nothing was changed (run with --fix to act)`,
    );
    // Progress is for terminals: a pipe gets the one line saying what is scanned, and no page lines.
    expect(run.stderr).to.equal(`scan: account ${ACCOUNT}, ${REGION} with embedded default policy (read-only)\n`);
  });

  it('revokes with --fix, one call per group and direction, and exits 0 when none remain', async () => {
    const run = await sgSentry(['scan', '--fix'], env(endpoint));

    expect(run.code).to.equal(0);
    const revokes = aws.calls.filter((c) => c.action === 'RevokeSecurityGroupIngress');
    expect(revokes.map((c) => c.params.GroupId)).to.deep.equal([0, 1, 2].map(groupId));
    const ids = revokes.flatMap((c) =>
      Object.entries(c.params)
        .filter(([k]) => k.startsWith('SecurityGroupRuleId.'))
        .map(([, v]) => v),
    );
    expect(ids.sort()).to.deep.equal(
      RULES.filter(isIngressViolation)
        .map((r) => r.securityGroupRuleId)
        .sort(),
    );
    expect(run.stdout).to.contain('15 revoked, 0 restricted, 0 already removed, 0 failed');
  });

  it("prints one JSON document for every region of --regions: the caller's account, the policy's mode, what this run changed", async () => {
    // Act
    const run = await sgSentry(['scan', '--format', 'json', '--regions', 'us-east-1,eu-west-1'], env(endpoint));

    // Assess
    const document = JSON.parse(run.stdout);
    expect(document).to.include({ command: 'scan', account: ACCOUNT, run_mode: 'report', exit_code: 1 });
    expect(document.policy).to.deep.equal({ source: 'embedded default policy', mode: 'enforce', action: 'revoke' });
    expect(document.results.map((r: any) => [r.region, r.report.account, r.report.counts.violations])).to.deep.equal([
      ['us-east-1', ACCOUNT, 15],
      ['eu-west-1', ACCOUNT, 15],
    ]);
    expect(document.results[0].report.findings[0]).to.include({ group_id: groupId(0), group_name: groupName(groupId(0)) });
    expect(document.summary).to.deep.equal({
      reports: 2,
      rules: 150,
      violations: 30,
      exempt: 0,
      allowed: 120,
      ignored: 0,
      invalid: 0,
      failed: 0,
    });
  });

  it('--json is still the same as --format json, and --region R (repeated) the same as --regions', async () => {
    const alias = await sgSentry(['scan', '--json', '--region', 'us-east-1', '--region', 'eu-west-1'], env(endpoint));
    const named = await sgSentry(['scan', '--format', 'json', '--regions', 'us-east-1,eu-west-1'], env(endpoint));

    const strip = (text: string) => JSON.parse(text, (key, value) => (key === 'event_time' ? null : value));
    expect(strip(alias.stdout)).to.deep.equal(strip(named.stdout));
  });

  it('scans every enabled region with --regions all, as DescribeRegions lists them', async () => {
    // Prepare: two enabled regions and one that is not opted in.
    const regions = [
      ['eu-west-1', 'opt-in-not-required'],
      ['ap-east-1', 'not-opted-in'],
      ['us-east-1', 'opt-in-not-required'],
    ];
    answerWith((call) =>
      call.action === 'DescribeRegions'
        ? {
            body: ec2Ok(
              'DescribeRegions',
              `<regionInfo>${regions.map(([n, s]) => `<item><regionName>${n}</regionName><optInStatus>${s}</optInStatus></item>`).join('')}</regionInfo>`,
            ),
          }
        : undefined,
    );

    // Act
    const run = await sgSentry(['scan', '--format', 'json', '--regions', 'all'], env(endpoint));

    // Assess
    expect(aws.calls.find((c) => c.action === 'DescribeRegions')?.params).to.not.have.property('AllRegions', 'true');
    expect(JSON.parse(run.stdout).results.map((r: any) => r.region)).to.deep.equal(['eu-west-1', 'us-east-1']);
  });

  it('uses the named --profile from the shared config files', async () => {
    // Prepare: a profile with its own keys and region; the environment names none.
    const home = tempDir();
    const config = writeTemp(home, 'config', '[profile audit]\nregion = eu-west-1\n');
    const credentials = writeTemp(home, 'credentials', '[audit]\naws_access_key_id = AKIDAUDIT\naws_secret_access_key = secret\n');
    const bare = env(endpoint, { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials });
    delete bare.AWS_REGION;
    delete bare.AWS_ACCESS_KEY_ID;
    delete bare.AWS_SECRET_ACCESS_KEY;

    // Act
    const run = await sgSentry(['scan', '--profile', 'audit', '--format', 'json'], bare);

    // Assess
    expect(run.stderr).to.contain(`scan: account ${ACCOUNT}, eu-west-1 with`);
    expect(JSON.parse(run.stdout).results.map((r: any) => r.region)).to.deep.equal(['eu-west-1']);
    expect(aws.authorizations.every((a) => a.includes('Credential=AKIDAUDIT/'))).to.equal(true);
  });

  it('writes each violation as a SARIF result with the group as its logical location', async () => {
    const run = await sgSentry(['scan', '--format', 'sarif'], env(endpoint));

    const log = JSON.parse(run.stdout);
    expect(run.code).to.equal(1);
    expect(log.runs[0].results).to.have.length(RULES.filter(isIngressViolation).length);
    expect(log.runs[0].results[0].locations[0].logicalLocations[0]).to.deep.equal({
      name: groupId(0),
      fullyQualifiedName: `${ACCOUNT}/${REGION}/${groupId(0)}`,
      kind: 'resource',
    });
  });

  it('succeeds when the SDK retries a throttled page by itself', async () => {
    // Prepare: the first listing is throttled once, then answered.
    let throttled = false;
    answerWith((call) => {
      if (call.action !== 'DescribeSecurityGroupRules' || throttled) return undefined;
      throttled = true;
      return { status: 400, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') };
    });

    // Act
    const run = await sgSentry(['scan'], env(endpoint));

    // Assess
    expect(describeCalls(aws).map((c) => c.params.NextToken ?? 'first')).to.deep.equal(['first', 'first', 'page-2']);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('75 rules in 3 groups');
    expect(run.stderr).to.not.contain('failed');
  });

  it('reports a page that keeps failing after the retries once, keeps the rest, and exits 3', async () => {
    answerWith((call) =>
      call.action === 'DescribeSecurityGroupRules' && call.params.NextToken === 'page-2'
        ? { status: 503, body: ec2Error('Unavailable', 'Service unavailable.') }
        : undefined,
    );

    const run = await sgSentry(['scan'], env(endpoint));

    expect(run.code).to.equal(3);
    expect(describeCalls(aws).map((c) => c.params.NextToken ?? 'first')).to.deep.equal(['first', 'page-2', 'page-2', 'page-2']);
    expect(run.stderr).to.contain(
      `sg-sentry: ${REGION}: DescribeSecurityGroupRules (all groups, after a page) failed: Unavailable: Service unavailable.`,
    );
    expect(`${run.stdout}${run.stderr}`.split('Service unavailable.')).to.have.length(2);
    expect(run.stdout).to.contain('50 rules in 2 groups (1 page(s))');
    expect(run.stdout).to.contain('INCOMPLETE: errors above');
  });

  it('exits 3 with the reason and a hint printed once, no stack trace, when the caller may not list rules', async () => {
    answerWith((call) =>
      call.action === 'DescribeSecurityGroupRules'
        ? { status: 403, body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.') }
        : undefined,
    );

    const run = await sgSentry(['scan'], env(endpoint));

    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain(
      `sg-sentry: scan of ${REGION} failed: UnauthorizedOperation: You are not authorized to perform this operation. (the caller lacks a permission; see sg-sentry scan --help)`,
    );
    expect(`${run.stdout}${run.stderr}`.split('You are not authorized')).to.have.length(2);
    expect(run.stdout).to.contain(`${REGION}: not scanned (the error is above)`);
    expect(run.stderr).to.not.match(STACK_FRAME);
    expect(describeCalls(aws)).to.have.length(1);
  });

  it('exits 3 naming the credentials when STS does not know them, before any EC2 call', async () => {
    answerWith((call) =>
      call.action === 'GetCallerIdentity'
        ? {
            status: 403,
            body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>',
          }
        : undefined,
    );

    const run = await sgSentry(['scan'], env(endpoint));

    expect(run.code).to.equal(3);
    expect(run.stderr).to.equal(
      'sg-sentry: scan: sts:GetCallerIdentity (which account the credentials belong to) failed: InvalidClientTokenId: The security token included in the request is invalid. (check your AWS credentials: environment, --profile or AWS_PROFILE, `aws sso login`)\n',
    );
    expect(describeCalls(aws)).to.deep.equal([]);
  });

  it('exits 2 naming the fix when no region is given or configured', async () => {
    const bare = env(endpoint);
    delete bare.AWS_REGION;

    const run = await sgSentry(['scan'], bare);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal(
      'sg-sentry: scan: no region: pass --regions R1,R2 (or all), or set AWS_REGION (see sg-sentry scan --help)\n',
    );
    expect(aws.calls).to.deep.equal([]);
  });

  it("lists only the policy's groups, by filter", async () => {
    const policy = writeTemp(tempDir(), 'policy.json', JSON.stringify({ groups: [groupId(1)] }));

    const run = await sgSentry(['scan', '--policy', policy], env(endpoint));

    expect(describeCalls(aws)[0]?.params).to.include({ 'Filter.1.Name': 'group-id', 'Filter.1.Value.1': groupId(1) });
    expect(run.stdout).to.contain('25 rules in 1 groups');
  });
});
