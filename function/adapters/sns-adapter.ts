import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { NotificationMessage, NotifierPort } from '../core/ports';

/** The region is part of the topic ARN; SNS must be called there. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

export class SnsNotifier implements NotifierPort {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  static forTopic(topicArn: string): SnsNotifier {
    const region = regionOfArn(topicArn);
    return new SnsNotifier(new SNSClient(region ? { region } : {}), topicArn);
  }

  async publish(message: NotificationMessage): Promise<void> {
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
