import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { judgeRules } from '../../function/core/judge/judge';
import { act } from '../../function/core/act/act';
import { RetryableRemediationError } from '../../function/core/errors';
import { loadPolicy } from '../../function/core/policy/policy';
import type { EventReport } from '../../function/core/report/report';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { envelope, fixture } from '../helpers/fixtures';
import { awsError } from '../helpers/aws-errors';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:sg-sentry';
const NOW = new Date('2026-11-27T10:00:00.000Z');
const ASSUMED_ROLE = 'arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia';
const ROOT = 'arn:aws:iam::963584523464:root';
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

function setup(policy: Record<string, unknown>) {
  const logs: Record<string, unknown>[] = [];
  const ctx = contextFromEnvironment(
    { SENTRY_TOPIC_ARN: TOPIC, SENTRY_POLICY: JSON.stringify(policy) },
    { log: (line) => logs.push({ ...line }), now: () => NOW },
  );
  return { handler: createHandler(ctx), logs };
}

function description(replaced: string, by: string): string {
  return `sg-sentry: replaced ${replaced} (by ${by}, 2026-11-27T10:00:00Z)`;
}

/**
 * Every EC2 write in order, as `Command input`, so the sequence itself is asserted. The one
 * read before judging (the group's tags, for the exception tag) is the engine's, not restrict's.
 */
function ec2Sequence(): { command: string; input: unknown }[] {
  return ec2
    .calls()
    .map((call) => ({ command: call.args[0].constructor.name, input: call.args[0].input }))
    .filter((call) => call.command !== 'DescribeSecurityGroupsCommand');
}

function authorizeInputs(): AuthorizeSecurityGroupIngressCommandInput[] {
  return ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input);
}

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

describe('action "restrict"', () => {
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('revokes an IPv4 world rule, then authorizes the same port from each IPv4 restrict_to CIDR in one call', async () => {
    // Prepare
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16', '192.168.50.0/24', 'fd12:3456::/48'] });

    // Act
    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    // Assess
    const text = description('0.0.0.0/0', ASSUMED_ROLE);
    expect(ec2Sequence()).to.deep.equal([
      {
        command: 'RevokeSecurityGroupIngressCommand',
        input: {
          GroupId: 'sg-0632fa4ee8a8468a4',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      },
      {
        command: 'AuthorizeSecurityGroupIngressCommand',
        input: {
          GroupId: 'sg-0632fa4ee8a8468a4',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.20.0.0/16', Description: text }] },
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '192.168.50.0/24', Description: text }] },
          ],
        },
      },
    ]);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'restricted' });
    expect(report.findings[0]?.reason).to.match(/^restricted to 10\.20\.0\.0\/16, 192\.168\.50\.0\/24: /);
    expect(report.findings[0]).to.not.have.property('error');
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes?.action?.StringValue).to.equal('restricted');
  });

  it('replaces an IPv6 world rule from the IPv6 restrict_to CIDR only', async () => {
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16', 'fd12:3456::/48'] });

    const report = (await handler(envelope(fixture('derived/ipv6-world-only-mysql-from-mysql-world-v4-v6-console')))) as EventReport;

    const [revoke, authorize] = ec2Sequence();
    expect(revoke?.command).to.equal('RevokeSecurityGroupIngressCommand');
    expect(authorize).to.deep.equal({
      command: 'AuthorizeSecurityGroupIngressCommand',
      input: {
        GroupId: report.group_id,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 3306,
            ToPort: 3306,
            Ipv6Ranges: [{ CidrIpv6: 'fd12:3456::/48', Description: description('::/0', report.principal ?? '') }],
          },
        ],
      },
    });
    expect(ec2Sequence()).to.have.length(2);
    expect(report.findings.map((f) => f.action)).to.deep.equal(['restricted']);
  });

  it('only revokes an IPv6 violation when restrict_to has no IPv6 CIDR', async () => {
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16'] });

    const report = (await handler(envelope(fixture('derived/ipv6-world-only-mysql-from-mysql-world-v4-v6-console')))) as EventReport;

    expect(ec2Sequence().map((c) => c.command)).to.deep.equal(['RevokeSecurityGroupIngressCommand']);
    expect(report.findings[0]).to.include({ action: 'revoked' });
    expect(report.findings[0]?.reason).to.match(/^not restricted: restrict_to has no IPv6 CIDR; /);
  });

  it('replaces a mixed IPv4 + IPv6 call with both families in one authorize, each naming what it replaced', async () => {
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16', 'fd12:3456::/48'] });

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021'))) as EventReport;

    expect(ec2Sequence()).to.deep.equal([
      {
        command: 'RevokeSecurityGroupIngressCommand',
        input: {
          GroupId: 'sg-0db7d4784c4db8612',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
        },
      },
      {
        command: 'AuthorizeSecurityGroupIngressCommand',
        input: {
          GroupId: 'sg-0db7d4784c4db8612',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: '10.20.0.0/16', Description: description('0.0.0.0/0', ROOT) }],
            },
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              Ipv6Ranges: [{ CidrIpv6: 'fd12:3456::/48', Description: description('::/0', ROOT) }],
            },
          ],
        },
      },
    ]);
    expect(report.findings.map((f) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 restricted', '::/0 restricted']);
  });

  it('only revokes a violation whose source is a security group', async () => {
    const policy = { action: 'restrict', restrict_to: ['10.20.0.0/16'], ingress: { allow: [{ cidr: '10.0.0.0/8' }] } };
    const { handler } = setup(policy);

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1'))) as EventReport;

    expect(ec2Sequence()).to.deep.equal([
      {
        command: 'RevokeSecurityGroupIngressCommand',
        input: {
          GroupId: 'sg-01f414f5313452cd1',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1521, ToPort: 1521, UserIdGroupPairs: [{ GroupId: 'sg-000537769a1c2d858' }] }],
        },
      },
    ]);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
    expect(report.findings[0]?.reason).to.match(/^not restricted: its source is a security group, not a CIDR; /);
  });

  it('only revokes a violation whose source is a prefix list', async () => {
    const policy = { action: 'restrict', restrict_to: ['10.20.0.0/16'], ingress: { allow: [{ cidr: '10.0.0.0/8' }] } };
    const { handler } = setup(policy);

    const report = (await handler(
      envelope(fixture('derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole')),
    )) as EventReport;

    expect(ec2Sequence().map((c) => c.command)).to.deep.equal(['RevokeSecurityGroupIngressCommand']);
    expect(report.findings[0]?.reason).to.match(/^not restricted: its source is a prefix list, not a CIDR; /);
  });

  it('asks once for a replacement that two violations share', async () => {
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16'] });

    const report = (await handler(envelope(fixture('derived/split-world-halves-ssh-from-ssh-world-go-sdk')))) as EventReport;

    expect(authorizeInputs()).to.deep.equal([
      {
        GroupId: 'sg-0d921df5d84f7270a',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [
              {
                CidrIp: '10.20.0.0/16',
                Description: description('0.0.0.0/1', 'arn:aws:sts::112233445566:assumed-role/Operator/ryan@example.com'),
              },
            ],
          },
        ],
      },
    ]);
    expect(report.findings.map((f) => f.action)).to.deep.equal(['restricted', 'restricted']);
  });

  it('counts a replacement that already exists as restricted', async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Duplicate', 'client', 400));
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16'] });

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(authorizeInputs()).to.have.length(1);
    expect(report.findings[0]).to.include({ action: 'restricted' });
    expect(report.findings[0]).to.not.have.property('error');
  });

  it('adds the other replacements one by one when a batch fails because one already exists', async () => {
    const existing = {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '10.20.0.0/16', Description: description('0.0.0.0/0', ASSUMED_ROLE) }],
    };
    const missing = {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '192.168.50.0/24', Description: description('0.0.0.0/0', ASSUMED_ROLE) }],
    };
    ec2
      .on(AuthorizeSecurityGroupIngressCommand, { GroupId: 'sg-0632fa4ee8a8468a4', IpPermissions: [existing, missing] }, true)
      .rejects(awsError('InvalidPermission.Duplicate', 'client', 400))
      .on(AuthorizeSecurityGroupIngressCommand, { GroupId: 'sg-0632fa4ee8a8468a4', IpPermissions: [existing] }, true)
      .rejects(awsError('InvalidPermission.Duplicate', 'client', 400));
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16', '192.168.50.0/24'] });

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(authorizeInputs().map((input) => input.IpPermissions)).to.deep.equal([[existing, missing], [existing], [missing]]);
    expect(report.findings[0]).to.include({ action: 'restricted' });
    expect(report.findings[0]?.reason).to.match(/^restricted to 10\.20\.0\.0\/16, 192\.168\.50\.0\/24: /);
  });

  it('keeps the revoke and reports the missing replacement when authorize fails for good', async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation', 'client', 403));
    const { handler } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16'] });

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(ec2Sequence().map((c) => c.command)).to.deep.equal([
      'RevokeSecurityGroupIngressCommand',
      'AuthorizeSecurityGroupIngressCommand',
    ]);
    expect(report.findings[0]).to.include({ action: 'revoked' });
    expect(report.findings[0]?.error).to.equal(
      'replacement from 10.20.0.0/16 not added: UnauthorizedOperation: UnauthorizedOperation happened',
    );
    expect(sns.calls()).to.have.length(1);
  });

  it('throws a retryable authorize failure after the revoke, and the retry adds the replacement', async () => {
    // Prepare: the first delivery is throttled on authorize; on the retry the rule is already gone.
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'client', 503))
      .resolves({});
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .resolvesOnce({})
      .rejects(awsError('InvalidSecurityGroupRuleId.NotFound', 'client', 400));
    const { handler, logs } = setup({ action: 'restrict', restrict_to: ['10.20.0.0/16'] });
    const event = envelope(fixture(SSH_WORLD));

    // Act
    let caught: unknown;
    try {
      await handler(event);
    } catch (error) {
      caught = error;
    }
    const retried = (await handler(event)) as EventReport;

    // Assess
    expect(caught).to.be.instanceOf(RetryableRemediationError);
    const first = logs.find((l) => l.message === 'sg-sentry event') as unknown as EventReport & { level: string };
    expect(first.level).to.equal('error');
    expect(first.findings[0]).to.include({ action: 'revoked' });
    expect(first.findings[0]?.error).to.contain('RequestLimitExceeded');
    expect(retried.findings[0]).to.include({ action: 'restricted' });
    expect(retried.findings[0]?.reason).to.contain('(the offending rule was already removed)');
    expect(authorizeInputs()).to.have.length(2);
    expect(sns.calls()).to.have.length(1);
  });

  it('changes nothing in report mode and says what it would restrict to', async () => {
    const { handler } = setup({ mode: 'report', action: 'restrict', restrict_to: ['10.20.0.0/16'] });

    const report = (await handler(envelope(fixture(SSH_WORLD)))) as EventReport;

    expect(ec2Sequence()).to.have.length(0);
    expect(report.findings[0]).to.include({ action: 'reported' });
    expect(report.findings[0]?.reason).to.match(/^would restrict to 10\.20\.0\.0\/16: /);
  });

  it('names the sweep as the author when act is called without a principal', async () => {
    // Prepare: the sweep's call shape, a rule from DescribeSecurityGroupRules and no change.
    const policy = loadPolicy(JSON.stringify({ action: 'restrict', restrict_to: ['10.20.0.0/16'] }));
    const rule = {
      direction: 'ingress',
      groupId: 'sg-0632fa4ee8a8468a4',
      ruleId: 'sgr-09be5c962afdc06ed',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    } as const;

    // Act
    const result = await act(judgeRules([rule], policy), policy, new Ec2Adapter(new EC2Client({ region: 'us-east-1' })), { now: NOW });

    // Assess
    expect(authorizeInputs()[0]?.IpPermissions?.[0]?.IpRanges).to.deep.equal([
      { CidrIp: '10.20.0.0/16', Description: 'sg-sentry: replaced 0.0.0.0/0 (by sg-sentry sweep, 2026-11-27T10:00:00Z)' },
    ]);
    expect(result.findings[0]).to.include({ action: 'restricted' });
  });
});
