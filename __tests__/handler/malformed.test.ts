import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import type { SkippedReport } from '../../function/core/report/report';
import { MALFORMED } from '../helpers/malformed-events';

describe('handler on malformed events', () => {
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    ec2.reset();
    sns.reset();
  });

  it('covers at least 15 kinds of malformed input', () => {
    expect(MALFORMED.length).to.be.at.least(15);
  });

  for (const c of MALFORMED) {
    it(`logs a validation error for ${c.name}, calls nothing and returns`, async () => {
      // Prepare
      const logs: Record<string, unknown>[] = [];
      const handler = createHandler(
        contextFromEnvironment({ SENTRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:t' }, { log: (l) => logs.push({ ...l }) }),
      );

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
