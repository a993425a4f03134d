/**
 * The ASFF findings of a report, from real events through the engine: which rules become
 * findings, how they are named, how severe they are, and what their workflow status says.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import type { EventReport } from '../../function/core/report/report';
import { securityHubFindingsOf, severityOf } from '../../function/core/report/security-hub-findings';
import { accountAfter, changeOf, engineContext, NOW } from '../engine/support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
/** The same opening, recorded without rule ids: its request alone says the rule, so a test can edit it. */
const SSH_WORLD_GO_SDK = 'authorize-ingress-ssh-world-go-sdk-no-rule-ids';
/** A policy that reads the group (its tags), so the report carries the group's name and VPC. */
const READS_GROUP = { exclude_tags: { 'sg-sentry': 'off' } };
const ACCOUNT = '776520358045';
const GROUP = 'sg-0632fa4ee8a8468a4';

async function reportOf(
  name: string,
  policy: Record<string, unknown> = {},
  edit?: (record: Record<string, any>) => void,
): Promise<EventReport> {
  const change = changeOf(name, edit);
  const { ctx } = engineContext(policy, accountAfter(change, { groupName: 'prod-web', vpcId: 'vpc-0abc' }));
  return (await processChange(change, ctx)).report;
}

/** The real SSH rule with one thing changed. */
function withRule(edit: Record<string, unknown>) {
  return (record: Record<string, any>) => Object.assign(record.requestParameters.ipPermissions.items[0], edit);
}

describe('Security Hub findings (ASFF) of a report', () => {
  it('makes a revoked world-open SSH rule one CRITICAL, RESOLVED finding in its account and region, on the group ARN', async () => {
    // Prepare
    const report = await reportOf(SSH_WORLD, READS_GROUP);

    // Act
    const findings = securityHubFindingsOf(report, NOW);

    // Assess
    expect(findings).to.have.length(1);
    const f = findings[0]!;
    expect(f).to.deep.include({
      SchemaVersion: '2018-10-08',
      Id: `sg-sentry/${ACCOUNT}/us-east-1/${GROUP}/ingress/tcp/22/0.0.0.0/0`,
      ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'sg-sentry',
      AwsAccountId: ACCOUNT,
      Region: 'us-east-1',
      Types: ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'],
      Severity: { Label: 'CRITICAL' },
      Workflow: { Status: 'RESOLVED' },
      RecordState: 'ACTIVE',
      CreatedAt: '2025-06-15T10:51:12Z',
      FirstObservedAt: '2025-06-15T10:51:12Z',
      UpdatedAt: NOW.toISOString(),
      LastObservedAt: NOW.toISOString(),
    });
    expect(f.Resources).to.deep.equal([
      {
        Type: 'AwsEc2SecurityGroup',
        Id: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${GROUP}`,
        Partition: 'aws',
        Region: 'us-east-1',
        Details: { AwsEc2SecurityGroup: { GroupId: GROUP, GroupName: 'prod-web', VpcId: 'vpc-0abc' } },
      },
    ]);
    expect(f.ProductFields).to.include({
      'sg-sentry/event_id': '2aae5c69-4eaf-490d-b022-fd622c12a717',
      'sg-sentry/principal': 'arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia',
      'sg-sentry/action': 'revoked',
    });
    expect(f.Title).to.equal(`Security group ${GROUP} (prod-web): ingress tcp/22 from 0.0.0.0/0 not allowed by policy, revoked`);
  });

  it('marks a violation left in place (report mode) NEW, and an exempt one SUPPRESSED with its reason', async () => {
    const reported = securityHubFindingsOf(await reportOf(SSH_WORLD, { mode: 'report' }), NOW);
    const exempt = securityHubFindingsOf(await reportOf(SSH_WORLD, { exempt_principals: ['arn:aws:iam::*:role/voclabs'] }), NOW);

    expect(reported.map((f) => f.Workflow.Status)).to.deep.equal(['NEW']);
    expect(exempt.map((f) => f.Workflow.Status)).to.deep.equal(['SUPPRESSED']);
    expect(exempt[0]?.Remediation.Recommendation.Text).to.match(/^Exempt, so left in place: /);
  });

  it('names the group by id alone when the policy did not need to read it (no extra call for Security Hub)', async () => {
    // Prepare: no exception tag and no exclusions, so nothing makes the engine read the group.
    const [f] = securityHubFindingsOf(await reportOf(SSH_WORLD, { exception_tag: null }), NOW);

    expect(f?.Resources[0]?.Details).to.deep.equal({ AwsEc2SecurityGroup: { GroupId: GROUP } });
    expect(f?.Title).to.equal(`Security group ${GROUP}: ingress tcp/22 from 0.0.0.0/0 not allowed by policy, revoked`);
  });

  it('makes no finding of an allowed rule', async () => {
    const report = await reportOf(SSH_WORLD_GO_SDK, {}, (r) => {
      r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '10.1.0.0/16';
    });

    expect(report.findings.map((f) => f.verdict)).to.deep.equal(['allowed']);
    expect(securityHubFindingsOf(report, NOW)).to.deep.equal([]);
  });

  it('gives the same Id to the same rule on a second delivery, and a later UpdatedAt', async () => {
    const report = await reportOf(SSH_WORLD);

    const first = securityHubFindingsOf(report, NOW);
    const again = securityHubFindingsOf(report, new Date(NOW.getTime() + 60_000));

    expect(again[0]?.Id).to.equal(first[0]?.Id);
    expect(Date.parse(again[0]!.UpdatedAt)).to.be.greaterThan(Date.parse(first[0]!.UpdatedAt));
  });

  it('rates exposure: CRITICAL for all traffic or SSH/RDP from the internet, HIGH for the rest of the internet and wide public ranges, MEDIUM otherwise', async () => {
    const cases: ReadonlyArray<[string, Record<string, unknown>, string | undefined, string]> = [
      ['rdp from 0.0.0.0/0', { fromPort: 3389, toPort: 3389 }, undefined, 'CRITICAL'],
      ['every tcp port from 0.0.0.0/0 (22 among them)', { fromPort: 0, toPort: 65535 }, undefined, 'CRITICAL'],
      ['all traffic from 0.0.0.0/0', { ipProtocol: '-1', fromPort: undefined, toPort: undefined }, undefined, 'CRITICAL'],
      ['ssh from 208.236.235.254/0 (= 0.0.0.0/0)', {}, '208.236.235.254/0', 'CRITICAL'],
      ['mysql from 0.0.0.0/0', { fromPort: 3306, toPort: 3306 }, undefined, 'HIGH'],
      ['udp/22 from 0.0.0.0/0', { ipProtocol: 'udp' }, undefined, 'HIGH'],
      ['ssh from half the internet', {}, '0.0.0.0/1', 'HIGH'],
      ['ssh from one public /24', {}, '203.0.113.0/24', 'MEDIUM'],
    ];
    for (const [label, rule, cidr, severity] of cases) {
      const report = await reportOf(SSH_WORLD_GO_SDK, {}, (r) => {
        withRule(rule)(r);
        if (cidr !== undefined) r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = cidr;
      });
      expect(
        securityHubFindingsOf(report, NOW).map((f) => f.Severity.Label),
        label,
      ).to.deep.equal([severity]);
    }
  });

  it('rates ::/0 like 0.0.0.0/0, and a private or group source MEDIUM', () => {
    const base = {
      direction: 'ingress',
      protocol: 'tcp',
      from_port: 22,
      to_port: 22,
      verdict: 'violation',
      action: 'revoked',
      reason: 'x',
    } as const;

    expect(severityOf({ ...base, source: '::/0', source_kind: 'cidr' })).to.equal('CRITICAL');
    expect(severityOf({ ...base, source: '10.0.0.0/8', source_kind: 'cidr' })).to.equal('MEDIUM');
    expect(severityOf({ ...base, source: 'sg-0123456789abcdef0', source_kind: 'security_group' })).to.equal('MEDIUM');
  });

  it("puts the restore command the report carries for the rule's group and direction in the recommendation, whole", async () => {
    // Prepare: the real report (enforce mode revokes, so it carries the restore command), and the same with a command too long for the field.
    const report = await reportOf(SSH_WORLD);
    const [restore] = report.restore;
    const long = { ...report, restore: [{ ...restore!, command: `${restore!.command} ${'#'.repeat(600)}` }] };

    // Act
    const [short] = securityHubFindingsOf(report, NOW);
    const [tooLong] = securityHubFindingsOf(long, NOW);

    // Assess
    expect(restore?.command).to.match(
      /^aws ec2 authorize-security-group-ingress --region us-east-1 --group-id sg-0632fa4ee8a8468a4 --ip-permissions '/,
    );
    expect(short?.Remediation.Recommendation.Text).to.contain(restore!.command);
    expect(tooLong?.Remediation.Recommendation.Text.length).to.be.at.most(512);
    expect(tooLong?.Remediation.Recommendation.Text).to.contain('sg-sentry/restore_command');
    expect(tooLong?.ProductFields['sg-sentry/restore_command']).to.equal(long.restore[0]?.command);
  });

  it('escapes and bounds text from the event: a group name cannot forge lines or overflow the title', async () => {
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext(READS_GROUP, accountAfter(change, { groupName: `evil\n\u202eNAME${'x'.repeat(400)}` }));
    const report = (await processChange(change, ctx)).report;

    const [f] = securityHubFindingsOf(report, NOW);

    expect(f?.Title).to.not.match(/[\n\u202e]/);
    expect(f?.Title.length).to.be.at.most(256);
    expect(f?.Description.length).to.be.at.most(1024);
  });

  it('writes the partition of the region into every ARN', async () => {
    const report = await reportOf(SSH_WORLD);

    const [f] = securityHubFindingsOf({ ...report, region: 'cn-north-1' }, NOW);

    expect(f?.ProductArn).to.equal(`arn:aws-cn:securityhub:cn-north-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(f?.Resources[0]).to.include({ Id: `arn:aws-cn:ec2:cn-north-1:${ACCOUNT}:security-group/${GROUP}`, Partition: 'aws-cn' });
  });

  it('makes nothing of a report that names no account', async () => {
    const report = await reportOf(SSH_WORLD);

    expect(securityHubFindingsOf({ ...report, account: null }, NOW)).to.deep.equal([]);
  });
});
