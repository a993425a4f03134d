/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) over its SNS topic
 * (`SENTRY_CHAT_TOPIC_ARN`): the custom-notification JSON as the message, nothing else, since
 * the service posts to Slack and Microsoft Teams only messages in that format. Best effort in
 * the fan-out: a failure is logged, never thrown past it. The SNS SDK is loaded on the first
 * publish, after the revoke, like the notification topic's.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { NotificationMessage, NotifierPort } from '../core/ports';
import { chatNotificationOf } from '../core/report/chat-message';
import { regionOfArn, sdk } from './sns-adapter';

export class ChatNotifier implements NotifierPort {
  private client: SNSClient | undefined;

  /** Without a client, one is made (in the topic's region) on the first publish. */
  constructor(
    client: SNSClient | undefined,
    private readonly topicArn: string,
  ) {
    this.client = client;
  }

  static forTopic(topicArn: string): ChatNotifier {
    return new ChatNotifier(undefined, topicArn);
  }

  async publish(message: NotificationMessage): Promise<void> {
    const { PublishCommand, SNSClient } = sdk();
    const region = regionOfArn(this.topicArn);
    this.client ??= new SNSClient(region ? { region } : {});
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Message: JSON.stringify(chatNotificationOf(message)) }));
  }
}
