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
import { TopicPublisher } from './sns-adapter';

export class ChatNotifier implements NotifierPort {
  private readonly topic: TopicPublisher;

  /** Without a client, one is made (in the topic's region) on the first publish. */
  constructor(client: SNSClient | undefined, topicArn: string) {
    this.topic = new TopicPublisher(client, topicArn);
  }

  static forTopic(topicArn: string): ChatNotifier {
    return new ChatNotifier(undefined, topicArn);
  }

  async publish(message: NotificationMessage): Promise<void> {
    await this.topic.publish({ Message: JSON.stringify(chatNotificationOf(message)) });
  }
}
