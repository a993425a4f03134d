import { expect } from 'chai';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsSweepQueue } from '../../function/adapters/sweep-queue';
import type { Target } from '../../function/core/ports';
import { awsError } from '../helpers/aws-errors';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/sg-sentry-sweep';

/** 200 accounts of an organization in two regions would be 400; 25 is enough for three calls. */
function targets(count: number): Target[] {
  return Array.from({ length: count }, (_, i) => ({ account: String(444455550000 + i), region: i % 2 === 0 ? 'eu-west-1' : 'us-east-1' }));
}

describe('sweep queue over SQS', () => {
  const sqs = mockClient(SQSClient);
  const queue = new SqsSweepQueue(async () => new SQSClient({ region: 'eu-west-1' }), QUEUE);
  afterEach(() => sqs.reset());

  it('sends ten messages a call, each body naming one account and region', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    // Act
    const result = await queue.dispatch(targets(25));

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).to.deep.equal([10, 10, 5]);
    expect(calls.every((c) => c.QueueUrl === QUEUE)).to.equal(true);
    expect(JSON.parse(calls[2]!.Entries![4]!.MessageBody!)).to.deep.equal({ account: '444455550024', region: 'eu-west-1' });
    expect(new Set(calls[0]!.Entries!.map((e) => e.Id)).size).to.equal(10);
    expect(result).to.deep.equal({ failed: [] });
  });

  it("sends an entry SQS refused on its side once more, and reports one refused for the sender's fault", async () => {
    // Prepare
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: '1', Code: 'InternalError', Message: 'try again', SenderFault: false },
          { Id: '2', Code: 'InvalidMessageContents', Message: 'bad body', SenderFault: true },
        ],
      })
      .resolves({ Failed: [] });
    const three = targets(3);

    // Act
    const result = await queue.dispatch(three);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.Id));
    expect(calls).to.deep.equal([['0', '1', '2'], ['1']]);
    expect(result.failed).to.deep.equal([{ target: three[2], error: 'InvalidMessageContents: bad body' }]);
  });

  it('reports every entry of a call that failed as a whole, and goes on with the next call', async () => {
    // Prepare
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(awsError('AccessDenied', 'client', 403))
      .resolves({ Failed: [] });
    const twelve = targets(12);

    // Act
    const result = await queue.dispatch(twelve);

    // Assess
    expect(result.failed.map((f) => f.target)).to.deep.equal(twelve.slice(0, 10));
    expect(result.failed[0]!.error).to.equal('AccessDenied: AccessDenied happened');
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).to.deep.equal([10, 2]);
  });
});
