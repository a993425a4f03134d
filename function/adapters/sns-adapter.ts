import type { SNSClient } from '@aws-sdk/client-sns';
import type { NotificationMessage, NotifierPort } from '../core/ports';

type Sdk = typeof import('./sns-sdk');
let sdkModule: Sdk | undefined;

/** Loaded here, not at the top: see sns-sdk.ts. The chat topic's notifier loads it the same way. */
export function sdk(): Sdk {
  sdkModule ??= require('./sns-sdk') as Sdk;
  return sdkModule;
}

/** The region is part of the topic ARN; SNS must be called there. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

export class SnsNotifier implements NotifierPort {
  private client: SNSClient | undefined;

  /** Without a client, one is made (in the topic's region) on the first publish. */
  constructor(
    client: SNSClient | undefined,
    private readonly topicArn: string,
  ) {
    this.client = client;
  }

  static forTopic(topicArn: string): SnsNotifier {
    return new SnsNotifier(undefined, topicArn);
  }

  async publish(message: NotificationMessage): Promise<void> {
    const { PublishCommand, SNSClient } = sdk();
    const region = regionOfArn(this.topicArn);
    this.client ??= new SNSClient(region ? { region } : {});
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: message.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: message.json, email: message.email }),
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value || '-' }]),
        ),
      }),
    );
  }
}
