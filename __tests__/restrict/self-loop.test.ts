import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import type { EventReport } from '../../function/core/report/report';
import { envelope, fixture } from '../helpers/fixtures';

const TOPIC = 'arn:aws:sns:us-east-1:776520358045:sg-sentry';
const SELF_ROLE = 'arn:aws:iam::776520358045:role/sg-sentry';
/** What restrict authorizes for the real sample, one second after it was recorded. */
const REPLACEMENT_EVENT = 'derived/restrict-replacement-by-own-lambda-role-from-ssh-world-rule-ids-console-assumedrole';
const RESTRICT = { action: 'restrict', restrict_to: ['10.20.0.0/16'] };
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

function handlerFor(policy: Record<string, unknown>, env: Record<string, string> = {}, now = new Date()) {
  const ctx = contextFromEnvironment(
    { SENTRY_TOPIC_ARN: TOPIC, SENTRY_POLICY: JSON.stringify(policy), ...env },
    { log: () => undefined, now: () => now },
  );
  return createHandler(ctx);
}

describe('restrict never loops on its own changes', () => {
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('the derived fixture carries exactly the permission restrict authorizes for the real sample', async () => {
    // Prepare
    const handler = handlerFor(
      RESTRICT,
      { SENTRY_SELF_ROLE_ARN: SELF_ROLE, AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry' },
      new Date('2025-06-15T10:51:13Z'),
    );

    // Act
    await handler(envelope(fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole')));

    // Assess
    const authorized = ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input;
    const recorded = fixture(REPLACEMENT_EVENT).requestParameters;
    const permission = recorded.ipPermissions.items[0];
    expect(authorized).to.deep.equal({
      GroupId: recorded.groupId,
      IpPermissions: [
        {
          IpProtocol: permission.ipProtocol,
          FromPort: permission.fromPort,
          ToPort: permission.toPort,
          IpRanges: [{ CidrIp: permission.ipRanges.items[0].cidrIp, Description: permission.ipRanges.items[0].description }],
        },
      ],
    });
  });

  it('makes no EC2 call and sends nothing for the event its own authorize produces', async () => {
    const handler = handlerFor(RESTRICT, { SENTRY_SELF_ROLE_ARN: SELF_ROLE, AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry' });

    const report = (await handler(envelope(fixture(REPLACEMENT_EVENT)))) as EventReport;

    expect(ec2.calls()).to.have.length(0);
    expect(sns.calls()).to.have.length(0);
    expect(report.principal).to.equal('arn:aws:sts::776520358045:assumed-role/sg-sentry/sg-sentry');
    expect(report.findings.map((f) => `${f.source} ${f.verdict} ${f.action}`)).to.deep.equal(['10.20.0.0/16 allowed none']);
  });

  it('leaves its own replacement alone even under a policy that no longer allows it', async () => {
    // Prepare: the policy changed after the replacement was made; only the self exemption holds.
    const stricter = { ingress: { allow: [{ cidr: '192.168.0.0/16' }] } };
    const withSelf = handlerFor(stricter, { SENTRY_SELF_ROLE_ARN: SELF_ROLE, AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry' });
    const withoutSelf = handlerFor(stricter);

    // Act
    const exempt = (await withSelf(envelope(fixture(REPLACEMENT_EVENT)))) as EventReport;
    const callsWithSelf = ec2.calls().length;
    const revoked = (await withoutSelf(envelope(fixture(REPLACEMENT_EVENT)))) as EventReport;

    // Assess
    expect(callsWithSelf).to.equal(0);
    expect(exempt.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(exempt.findings[0]?.reason).to.match(
      /^made by sg-sentry itself \(session arn:aws:sts::776520358045:assumed-role\/sg-sentry\/sg-sentry\); /,
    );
    expect(revoked.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
  });
});
