import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { NotificationError, RetryableRemediationError } from '../../function/core/errors';
import type { EventReport } from '../../function/core/report/report';
import { envelope, fixture } from '../helpers/fixtures';
import { awsError } from '../helpers/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sg-sentry';
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

function setup(env: Record<string, string> = {}) {
  const logs: Record<string, unknown>[] = [];
  const ctx = contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC, ...env }, { log: (line) => logs.push({ ...line }) });
  return { handler: createHandler(ctx), logs };
}

function publishedMessage(): { default: string; email: string } {
  const call = sns.commandCalls(PublishCommand)[0];
  if (!call) throw new Error('nothing was published');
  return JSON.parse(call.args[0].input.Message as string);
}

describe('handler', () => {
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('revokes by exact content even when the event has rule ids: one tag read, one revoke and one publish', async () => {
    // Prepare
    const { handler } = setup();
    const event = envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));

    // Act
    const report = (await handler(event)) as EventReport;

    // Assess
    expect(ec2.calls().map((c) => c.args[0].constructor.name)).to.deep.equal([
      'DescribeSecurityGroupsCommand',
      'RevokeSecurityGroupIngressCommand',
    ]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).to.deep.equal({
      GroupId: 'sg-0632fa4ee8a8468a4',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(sns.calls()).to.have.length(1);
    expect(report.findings).to.deep.equal([
      {
        rule_id: 'sgr-09be5c962afdc06ed',
        group_id: 'sg-0632fa4ee8a8468a4',
        direction: 'ingress',
        protocol: 'tcp',
        from_port: 22,
        to_port: 22,
        source: '0.0.0.0/0',
        source_kind: 'cidr',
        verdict: 'violation',
        action: 'revoked',
        reason: report.findings[0]?.reason,
      },
    ]);
  });

  it('revokes by exact IpPermissions when the event has no rule ids', async () => {
    const { handler } = setup();

    await handler(fixture('eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021'));

    expect(ec2.calls().map((c) => c.args[0].constructor.name)).to.deep.equal([
      'DescribeSecurityGroupsCommand',
      'RevokeSecurityGroupIngressCommand',
    ]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).to.deep.equal({
      GroupId: 'sg-0db7d4784c4db8612',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
  });

  it('revokes by GroupName in the default-VPC form', async () => {
    const { handler } = setup();

    await handler(envelope(fixture('derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk')));

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).to.deep.equal({
      GroupName: 'default',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('revokes only the rules outside the allowlist', async () => {
    const { handler } = setup();

    const report = (await handler(
      envelope(fixture('derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole')),
    )) as EventReport;

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).to.deep.equal([
      {
        GroupId: 'sg-0632fa4ee8a8468a4',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
    ]);
    expect(report.findings.map((f) => `${f.source}:${f.from_port} ${f.verdict} ${f.action}`)).to.deep.equal([
      '10.1.0.0/16:22 allowed none',
      '0.0.0.0/0:22 violation revoked',
      '0.0.0.0/0:443 allowed none',
    ]);
  });

  it('revokes egress rules with the egress call', async () => {
    const { handler } = setup({ SENTRY_POLICY: JSON.stringify({ egress: { allow: [{ cidr: '10.0.0.0/8' }] } }) });

    await handler(envelope(fixture('authorize-egress-tcp4444-rule-ids-cli-instance-role')));

    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).to.deep.equal({
      GroupId: 'sg-038ccc3a1f7b05f42',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 4444, ToPort: 4444, IpRanges: [{ CidrIp: '73.21.4.36/32' }] }],
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
  });

  it('reports InvalidPermission.NotFound as already removed and still notifies', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.NotFound', 'client', 400));
    const { handler } = setup();

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root'))) as EventReport;

    expect(report.findings.map((f) => f.action)).to.deep.equal(['already-removed']);
    expect(sns.calls()).to.have.length(1);
  });

  it('reports the permissions EC2 did not find (UnknownIpPermissions) as already removed', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({
      Return: true,
      UnknownIpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    const { handler } = setup();

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021'))) as EventReport;

    expect(report.findings.map((f) => `${f.source} ${f.action}`)).to.deep.equal(['0.0.0.0/0 revoked', '::/0 already-removed']);
  });

  it('still revokes the others when EC2 refuses a batch for one permission it no longer has', async () => {
    // Prepare: world SSH and world RDP; outside the default VPC EC2 fails the whole call for the missing SSH rule
    const event = envelope(fixture('derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole'));
    event.detail.requestParameters.ipPermissions.items[1].fromPort = 3389;
    event.detail.requestParameters.ipPermissions.items[1].toPort = 3389;
    Object.assign(event.detail.responseElements.securityGroupRuleSet.items[2], { fromPort: 3389, toPort: 3389 });
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const rdp = { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    ec2
      .on(RevokeSecurityGroupIngressCommand, { IpPermissions: [ssh, rdp] })
      .rejects(awsError('InvalidPermission.NotFound', 'client', 400))
      .on(RevokeSecurityGroupIngressCommand, { IpPermissions: [ssh] })
      .rejects(awsError('InvalidPermission.NotFound', 'client', 400));
    const { handler } = setup();

    // Act
    const report = (await handler(event)) as EventReport;

    // Assess
    expect(
      ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input.IpPermissions?.map((p) => p.FromPort)),
    ).to.deep.equal([[22, 3389], [22], [3389]]);
    expect(report.findings.filter((f) => f.verdict === 'violation').map((f) => f.action)).to.deep.equal(['already-removed', 'revoked']);
  });

  it('throws on throttling so that Lambda retries, after logging what it saw', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('RequestLimitExceeded', 'client', 503));
    const { handler, logs } = setup();

    let caught: unknown;
    try {
      await handler(fixture('eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root'));
    } catch (error) {
      caught = error;
    }

    expect(caught).to.be.instanceOf(RetryableRemediationError);
    expect(sns.calls()).to.have.length(0);
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry event' });
  });

  it('reports a permanent failure without throwing', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation', 'client', 403));
    const { handler } = setup();

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root'))) as EventReport;

    expect(report.findings[0]).to.include({ action: 'failed' });
    expect(report.findings[0]?.error).to.contain('UnauthorizedOperation');
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes?.action?.StringValue).to.equal('failed');
  });

  it('leaves the revoke in place and surfaces the error when SNS fails afterwards', async () => {
    sns.on(PublishCommand).rejects(awsError('InternalError', 'server', 500));
    const { handler, logs } = setup();

    let caught: unknown;
    try {
      await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));
    } catch (error) {
      caught = error;
    }

    expect(caught).to.be.instanceOf(NotificationError);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(1);
    expect(ec2.calls().filter((c) => c.args[0].constructor.name.startsWith('Authorize'))).to.have.length(0);
    const revokedLine = logs.find((l) => l.message === 'sg-sentry event') as unknown as EventReport;
    expect(revokedLine.findings[0]?.action).to.equal('revoked');
  });

  it('sends no mutating EC2 call in report mode, and says "would revoke"', async () => {
    const { handler } = setup({ SENTRY_POLICY: '{"mode":"report"}' });

    const report = (await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')))) as EventReport;

    expect(ec2.calls().map((c) => c.args[0].constructor.name)).to.deep.equal(['DescribeSecurityGroupsCommand']);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'reported' });
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.Subject).to.equal('sg-sentry: would revoke tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4');
    expect(publishedMessage().email).to.match(/^WOULD REVOKE/);
  });

  it('publishes JSON-structured messages with attributes', async () => {
    const { handler } = setup();

    await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));

    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).to.include({
      TopicArn: TOPIC,
      MessageStructure: 'json',
      Subject: 'sg-sentry: revoked tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4',
    });
    expect(input?.MessageAttributes).to.deep.equal({
      action: { DataType: 'String', StringValue: 'revoked' },
      group_id: { DataType: 'String', StringValue: 'sg-0632fa4ee8a8468a4' },
      event_name: { DataType: 'String', StringValue: 'AuthorizeSecurityGroupIngress' },
    });
    const report = JSON.parse(publishedMessage().default);
    expect(report).to.include({
      event_id: '2aae5c69-4eaf-490d-b022-fd622c12a717',
      account: '776520358045',
      region: 'us-east-1',
      group_id: 'sg-0632fa4ee8a8468a4',
      mode: 'enforce',
      principal: 'arn:aws:sts::776520358045:assumed-role/voclabs/user289515=Jia_Jia',
    });
    const email = publishedMessage().email;
    for (const fact of [
      'arn:aws:iam::776520358045:role/voclabs',
      '112.119.155.35',
      '2025-06-15T10:51:12Z',
      'us-east-1',
      'sgr-09be5c962afdc06ed',
      'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=sg-0632fa4ee8a8468a4',
    ]) {
      expect(email).to.contain(fact);
    }
  });

  it('sends nothing for an event whose rules are all allowed', async () => {
    const { handler } = setup();

    const report = (await handler(fixture('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1'))) as EventReport;

    expect(report.verdict).to.equal('allowed');
    expect(ec2.calls()).to.have.length(0);
    expect(sns.calls()).to.have.length(0);
  });

  it('looks up the direction of a modified rule, then revokes it by id', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-09be5c962afdc06ed',
          GroupId: 'sg-0632fa4ee8a8468a4',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
      ],
    });
    const { handler } = setup();

    await handler(envelope(fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole')));

    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]?.args[0].input).to.deep.equal({
      SecurityGroupRuleIds: ['sgr-09be5c962afdc06ed'],
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).to.deep.equal({
      GroupId: 'sg-0632fa4ee8a8468a4',
      SecurityGroupRuleIds: ['sgr-09be5c962afdc06ed'],
    });
  });

  it('judges a modified rule as EC2 holds it now, so a rule already narrowed again is left alone', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-09be5c962afdc06ed',
          GroupId: 'sg-0632fa4ee8a8468a4',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '10.0.0.0/16',
        },
      ],
    });
    const { handler } = setup();

    const report = (await handler(
      envelope(fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole')),
    )) as EventReport;

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
    expect(report.findings.map((f) => `${f.source} ${f.verdict}`)).to.deep.equal(['10.0.0.0/16 allowed']);
  });

  it('reads a modified egress rule without IpProtocol from EC2 and revokes it with the egress call', async () => {
    const event = envelope(fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole'));
    delete event.detail.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.IpProtocol;
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-09be5c962afdc06ed',
          GroupId: 'sg-0632fa4ee8a8468a4',
          IsEgress: true,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
      ],
    });
    const { handler } = setup({ SENTRY_POLICY: JSON.stringify({ egress: { allow: [{ cidr: '10.0.0.0/8' }] } }) });

    await handler(event);

    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).to.deep.equal({
      GroupId: 'sg-0632fa4ee8a8468a4',
      SecurityGroupRuleIds: ['sgr-09be5c962afdc06ed'],
    });
  });

  it('reports a modified rule that no longer exists as already removed', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).rejects(awsError('InvalidSecurityGroupRuleId.NotFound', 'client', 400));
    const { handler } = setup();

    const report = (await handler(
      envelope(fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole')),
    )) as EventReport;

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
    expect(report.findings.map((f) => f.action)).to.deep.equal(['already-removed']);
  });

  it('describes the group only when exclude_tags is set, and leaves a tagged group alone', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0632fa4ee8a8468a4', GroupName: 'bastion', VpcId: 'vpc-1', Tags: [{ Key: 'sg-sentry', Value: 'off' }] },
      ],
    });
    const { handler } = setup({ SENTRY_POLICY: JSON.stringify({ exclude_tags: { 'sg-sentry': 'off' } }) });

    const report = (await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')))) as EventReport;

    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).to.deep.equal({ GroupIds: ['sg-0632fa4ee8a8468a4'] });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(0);
    expect(report).to.include({ group_name: 'bastion', vpc_id: 'vpc-1' });
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
  });

  it('never touches a change made by its own session: its role, the session Lambda names after the function', async () => {
    // Prepare: the derived record of sg-sentry's own call (role sg-sentry, function sg-sentry), under a policy that forbids it
    const event = envelope(fixture('derived/restrict-replacement-by-own-lambda-role-from-ssh-world-rule-ids-console-assumedrole'));
    const { handler } = setup({
      SENTRY_SELF_ROLE_ARN: 'arn:aws:iam::776520358045:role/sg-sentry',
      AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry',
      SENTRY_POLICY: JSON.stringify({ ingress: { allow: [] } }),
    });

    // Act
    const report = (await handler(event)) as EventReport;

    // Assess
    expect(ec2.calls()).to.have.length(0);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
  });

  it('revokes a change made by another session of its role, e.g. someone who assumed it by hand', async () => {
    // Prepare: the console sample's session of role voclabs, with voclabs as sg-sentry's own role
    const event = envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'));
    const { handler } = setup({ SENTRY_SELF_ROLE_ARN: 'arn:aws:iam::776520358045:role/voclabs', AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry' });

    // Act
    const report = (await handler(event)) as EventReport;

    // Assess
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
  });

  it('calls EC2 in the region of the event', async () => {
    const { handler } = setup();
    const record = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
    record.awsRegion = 'ap-southeast-2';

    await handler(envelope(record));

    const client = ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.thisValue as EC2Client;
    expect(await client.config.region()).to.equal('ap-southeast-2');
  });
});
