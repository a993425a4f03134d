import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { FakeAws } from '../helpers/fake-aws';
import { clone, fixture, FIXTURES } from '../helpers/fixtures';
import { CLI, sgSentry, STACK_FRAME, tempDir, writeTemp } from './run-cli';

const SSH_WORLD = `${FIXTURES}/cloudtrail/authorize-ingress-ssh-world-rule-ids-console-assumedrole.json`;
const SG_REFERENCE_ENVELOPE = `${FIXTURES}/cloudtrail/eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1.json`;
const IPV6_MYSQL_WORLD = `${FIXTURES}/derived/ipv6-world-only-mysql-from-mysql-world-v4-v6-console.json`;
const MODIFY = `${FIXTURES}/derived/modify-rules-array-form-string-ports-from-ssh-world-rule-ids-console-assumedrole.json`;

describe('sg-sentry check (the built binary)', () => {
  const aws = new FakeAws();
  let offlineEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (npm run build)`);
    // Any AWS call would land here; check must make none.
    offlineEnv = FakeAws.env(await aws.start());
  });
  after(() => aws.stop());
  beforeEach(() => aws.reset());

  it('prints the verdict, reason and the action the Lambda would take, exiting 1 on a violation, with no AWS call', async () => {
    // Act
    const run = await sgSentry(['check', SSH_WORLD], offlineEnv);

    // Assess
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.contain('AuthorizeSecurityGroupIngress 2aae5c69-4eaf-490d-b022-fd622c12a717');
    expect(run.stdout).to.contain('VIOLATION  ingress tcp/22 from 0.0.0.0/0 (sgr-09be5c962afdc06ed)  -> revoke\n');
    expect(run.stdout).to.contain('tcp/22 from 0.0.0.0/0 is not covered by any ingress.allow entry');
    expect(run.stdout).to.contain('1 event(s): 1 violating, 0 exempt, 0 allowed, 0 ignored, 0 invalid');
    expect(aws.calls).to.deep.equal([]);
  });

  it('exits 0 for an EventBridge envelope whose rule is allowed', async () => {
    const run = await sgSentry(['check', SG_REFERENCE_ENVELOPE], offlineEnv);

    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('allowed    ingress tcp/1521 from sg-000537769a1c2d858 (sgr-02e2ca7d55820dc26)  -> none');
    expect(run.stdout).to.contain('allowed by ingress.allow[5] (any security group, all)');
  });

  it('says what report mode would do, and still exits 1 because the rule violates', async () => {
    const run = await sgSentry(['check', '--policy', 'examples/policies/report-only.json', SSH_WORLD], offlineEnv);

    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('-> notify only (mode report)');
    expect(run.stdout).to.contain('policy: examples/policies/report-only.json (mode report, action revoke)');
  });

  it('names the restrict_to CIDRs under action restrict', async () => {
    const run = await sgSentry(['check', '--policy', 'examples/policies/restrict.json', SSH_WORLD], offlineEnv);

    expect(run.stdout).to.contain('-> restrict to 10.0.0.0/8\n');
  });

  it("prints one decision for an IPv6 violation that restrict_to cannot replace: the engine's revoke, not its own reading", async () => {
    // Prepare: restrict_to has an IPv4 CIDR only; the event opens MySQL to ::/0.
    const policy = writeTemp(tempDir(), 'policy.json', JSON.stringify({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }));

    // Act
    const text = await sgSentry(['check', '--policy', policy, IPV6_MYSQL_WORLD], offlineEnv);
    const json = await sgSentry(['check', '--json', '--policy', policy, IPV6_MYSQL_WORLD], offlineEnv);

    // Assess
    expect(text.stdout).to.contain(
      'VIOLATION  ingress tcp/3306 from ::/0  -> revoke (not restricted: restrict_to has no IPv6 CIDR)\n' +
        '      tcp/3306 from ::/0 is not covered by any ingress.allow entry\n',
    );
    expect(text.stdout).to.not.contain('allow from');
    expect(text.stdout).to.not.contain('restrict to');
    const [finding] = JSON.parse(json.stdout).results[0].report.findings;
    expect(finding).to.include({ verdict: 'violation', would_action: 'revoke (not restricted: restrict_to has no IPv6 CIDR)' });
    expect(finding.reason).to.equal(
      'would revoke (not restricted: restrict_to has no IPv6 CIDR): tcp/3306 from ::/0 is not covered by any ingress.allow entry',
    );
  });

  it('exits 0 when the only violation was made by an exempt principal', async () => {
    const dir = tempDir();
    const policy = writeTemp(dir, 'policy.json', JSON.stringify({ exempt_principals: ['arn:aws:iam::*:role/voclabs'] }));

    const run = await sgSentry(['check', '--policy', policy, SSH_WORLD], offlineEnv);

    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('exempt     ingress tcp/22 from 0.0.0.0/0 (sgr-09be5c962afdc06ed)  -> none (exempt)');
  });

  it('prints the reports as JSON with --json', async () => {
    const run = await sgSentry(['check', '--json', SSH_WORLD, SG_REFERENCE_ENVELOPE], offlineEnv);

    expect(run.code).to.equal(1);
    const document = JSON.parse(run.stdout);
    expect(document.exit_code).to.equal(1);
    expect(document.policy).to.deep.equal({ source: 'embedded default policy', mode: 'enforce', action: 'revoke' });
    expect(document.results.map((r: any) => [r.file, r.record, r.report.verdict])).to.deep.equal([
      [SSH_WORLD, null, 'violation'],
      [SG_REFERENCE_ENVELOPE, null, 'allowed'],
    ]);
    expect(document.results[0].report.findings[0]).to.include({
      rule_id: 'sgr-09be5c962afdc06ed',
      verdict: 'violation',
      would_action: 'revoke',
    });
  });

  it('reads a gzipped CloudTrail log file, judging each record and listing the others as ignored', async () => {
    // Prepare: a log file as CloudTrail delivers it to S3, from three real records.
    const failed = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
    failed.errorCode = 'Client.InvalidPermission.Duplicate';
    const records = [fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'), fixture('create-security-group-console-2021'), failed];
    const file = writeTemp(
      tempDir(),
      '123456789012_CloudTrail_us-east-1_20200430T0440Z_abc.json.gz',
      gzipSync(JSON.stringify({ Records: records })),
    );

    // Act
    const run = await sgSentry(['check', file], offlineEnv);

    // Assess
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain(`${file} [record 0]: AuthorizeSecurityGroupIngress 42155429-7e8e-43b5-9b5e-6953f80d51d5`);
    expect(run.stdout).to.contain('VIOLATION  ingress tcp/22 from 0.0.0.0/0  -> revoke');
    expect(run.stdout).to.contain(`${file} [record 1]: CreateSecurityGroup`);
    expect(run.stdout).to.contain('allowed    egress all traffic to 0.0.0.0/0  -> none');
    expect(run.stdout).to.contain(
      `${file} [record 2]: ignored AuthorizeSecurityGroupIngress 42155429-7e8e-43b5-9b5e-6953f80d51d5: the call failed (Client.InvalidPermission.Duplicate), so nothing was changed`,
    );
    expect(run.stdout).to.contain('3 event(s): 1 violating, 0 exempt, 1 allowed, 1 ignored, 0 invalid');
  });

  it('judges ModifySecurityGroupRules both ways offline, and says so', async () => {
    const run = await sgSentry(['check', MODIFY], offlineEnv);

    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('VIOLATION  ingress tcp/3389 from 0.0.0.0/0 (sgr-0aa0c1d2e3f405060)  -> revoke');
    expect(run.stdout).to.contain('allowed    egress tcp/3389 to 0.0.0.0/0 (sgr-0aa0c1d2e3f405060)  -> none');
    expect(run.stdout).to.contain(
      'note: ModifySecurityGroupRules does not say the direction; offline, each rule was judged as ingress and as egress',
    );
    expect(aws.calls).to.deep.equal([]);
  });

  it('exits 2 on a file that is not JSON, naming the file and the position', async () => {
    const text = JSON.stringify(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'), null, 2);
    const file = writeTemp(tempDir(), 'truncated.json', text.slice(0, 120));

    const run = await sgSentry(['check', file, SSH_WORLD], offlineEnv);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(
      new RegExp(
        `^sg-sentry: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .+ at position \\d+ \\(line \\d+, column \\d+\\)\\n$`,
      ),
    );
    expect(run.stderr).to.not.match(STACK_FRAME);
    expect(run.stdout).to.contain('VIOLATION  ingress tcp/22'); // the good file is still judged
  });

  it('exits 2 on an event that breaks the contract, naming the file and the field', async () => {
    const record = clone(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));
    record.requestParameters.ipPermissions.items[0].toPort = 70000;
    const file = writeTemp(tempDir(), 'port-70000.json', JSON.stringify(record));

    const run = await sgSentry(['check', file], offlineEnv);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(
      `sg-sentry: ${file}: invalid event: record.requestParameters.ipPermissions.items[0].toPort: must be 65535 or less`,
    );
    expect(run.stdout).to.contain(`${file}: INVALID (see stderr)`);
  });

  it('exits 2 on a missing file', async () => {
    const run = await sgSentry(['check', 'no-such-event.json'], offlineEnv);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('sg-sentry: no-such-event.json: no such file or directory\n');
  });

  it('exits 2 listing every problem when the --policy file is invalid', async () => {
    const policy = writeTemp(
      tempDir(),
      'bad-policy.json',
      JSON.stringify({ mdoe: 'report', ingress: { allow: [{ cidr: '10.0.0.0/33' }] } }),
    );

    const run = await sgSentry(['check', '--policy', policy, SSH_WORLD], offlineEnv);

    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`sg-sentry: ${policy}: invalid sg-sentry policy (2 problems):`);
    expect(run.stderr).to.contain('mdoe: unknown key; did you mean "mode"?');
    expect(run.stderr).to.contain('ingress.allow[0].cidr');
    expect(run.stdout).to.equal('');
  });
});
