import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import type { SkippedReport } from '../../function/core/report/report';
import { MALFORMED, UNREADABLE_WATCHED } from '../helpers/malformed-events';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:t';

describe('handler on malformed events', () => {
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    ec2.reset();
    sns.reset();
  });

  it('covers at least 15 kinds of malformed input', () => {
    expect(MALFORMED.length + UNREADABLE_WATCHED.length).to.be.at.least(15);
  });

  for (const c of MALFORMED) {
    it(`logs a validation error for ${c.name}, calls nothing and returns`, async () => {
      // Prepare
      const logs: Record<string, unknown>[] = [];
      const handler = createHandler(contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC }, { log: (l) => logs.push({ ...l }) }));

      // Act
      const result = await handler(c.make());

      // Assess
      expect((result as SkippedReport).status).to.equal('invalid');
      expect(logs).to.have.length(1);
      expect(logs[0]).to.include({ level: 'warn', message: 'sg-sentry validation error' });
      expect(((logs[0]?.problems ?? []) as string[]).some((p) => c.path.test(p))).to.equal(true);
      expect(ec2.calls()).to.have.length(0);
      expect(sns.calls()).to.have.length(0);
    });
  }
});

describe('handler on watched events it cannot read', () => {
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // The group's tags, for the exception tag the default policy reads: none.
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[] }) => ({
      SecurityGroups: (input.GroupIds ?? []).map((GroupId) => ({ GroupId, Tags: [] })),
    }));
  });

  for (const c of UNREADABLE_WATCHED.filter((u) => u.groups.length > 0 && u.region !== false)) {
    it(`judges the current rules of ${c.groups.join(', ')} for ${c.name}, revokes the world-open one and says why`, async () => {
      // Prepare: the group holds a world-open ssh rule now
      const [group] = c.groups as [string];
      ec2.on(DescribeSecurityGroupRulesCommand).resolves({
        SecurityGroupRules: [
          {
            GroupId: group,
            SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa1',
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv4: '0.0.0.0/0',
          },
          {
            GroupId: group,
            SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa2',
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            CidrIpv4: '0.0.0.0/0',
          },
        ],
      });
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      const logs: Record<string, unknown>[] = [];
      const handler = createHandler(contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC }, { log: (l) => logs.push({ ...l }) }));

      // Act
      const result = (await handler(c.make())) as any;

      // Assess
      expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand).map((call) => call.args[0].input.Filters)).to.deep.equal([
        [{ Name: 'group-id', Values: [group] }],
      ]);
      expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((call) => call.args[0].input)).to.deep.equal([
        { GroupId: group, SecurityGroupRuleIds: ['sgr-0aaaaaaaaaaaaaaa1'] },
      ]);
      expect(result.findings.map((f: any) => `${f.from_port} ${f.action}`)).to.deep.equal(['22 revoked', '443 none']);
      expect((result.unreadable_event.problems as string[]).some((p) => c.path.test(p))).to.equal(true);
      expect(result.unreadable_event.judged_groups).to.deep.equal([group]);
      expect(logs.at(-1)).to.include({ level: 'warn', message: 'sg-sentry event' });
      const published = sns.commandCalls(PublishCommand).map((call) => JSON.parse(call.args[0].input.Message ?? '{}').email as string);
      expect(published).to.have.length(1);
      expect(published[0]).to.contain('The event itself could not be read');
    });
  }

  for (const c of UNREADABLE_WATCHED.filter((u) => u.groups.length === 0 || u.region === false)) {
    it(`logs an error and notifies "could not be checked" for ${c.name}, calling EC2 not at all`, async () => {
      // Prepare
      const logs: Record<string, unknown>[] = [];
      const handler = createHandler(contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC }, { log: (l) => logs.push({ ...l }) }));

      // Act
      const result = await handler(c.make());

      // Assess
      expect(result).to.include({ status: 'invalid', could_not_check: true });
      expect(logs).to.have.length(1);
      expect(logs[0]).to.include({ level: 'error', message: 'sg-sentry could not check event' });
      expect(((logs[0]?.problems ?? []) as string[]).some((p) => c.path.test(p))).to.equal(true);
      expect(ec2.calls()).to.have.length(0);
      const [publish] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
      expect(publish?.Subject).to.match(/^sg-sentry: could not check /);
      expect(publish?.MessageAttributes?.action?.StringValue).to.equal('could-not-check');
    });
  }
});
