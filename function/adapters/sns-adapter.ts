import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { NotificationMessage, NotifierPort } from '../core/ports';

type Sdk = typeof import('./sns-sdk');
let sdkModule: Sdk | undefined;

/** Loaded here, not at the top: see sns-sdk.ts. Both topics (notifications, chat) publish through it. */
function sdk(): Sdk {
  sdkModule ??= require('./sns-sdk') as Sdk;
  return sdkModule;
}

/** The region is part of the topic ARN; SNS must be called there. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

/** One topic: its client is made in the topic's region on the first publish, so SNS loads after the revoke. */
export class TopicPublisher {
  constructor(
    private client: SNSClient | undefined,
    readonly topicArn: string,
  ) {}

  async publish(input: Omit<PublishCommandInput, 'TopicArn'>): Promise<void> {
    const { PublishCommand, SNSClient } = sdk();
    const region = regionOfArn(this.topicArn);
    this.client ??= new SNSClient(region ? { region } : {});
    await this.client.send(new PublishCommand({ ...input, TopicArn: this.topicArn }));
  }
}

export class SnsNotifier implements NotifierPort {
  private readonly topic: TopicPublisher;

  /** Without a client, one is made (in the topic's region) on the first publish. */
  constructor(client: SNSClient | undefined, topicArn: string) {
    this.topic = new TopicPublisher(client, topicArn);
  }

  static forTopic(topicArn: string): SnsNotifier {
    return new SnsNotifier(undefined, topicArn);
  }

  async publish(message: NotificationMessage): Promise<void> {
    await this.topic.publish({
      Subject: message.subject,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: message.json, email: message.email }),
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value || '-' }]),
      ),
    });
  }
}
