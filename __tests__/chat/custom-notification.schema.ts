/**
 * The custom-notification format of Amazon Q Developer in chat applications, as its
 * documentation ("Custom notifications using Amazon Q Developer in chat applications", event
 * schema and parameter details) lists it: `version` "1.0" and `source` "custom" required,
 * `content.description` required, `textType` only "client-markdown", the other fields
 * optional, nothing else. Strict, so a field the service does not know fails the test.
 * `metadata.eventType` is what a custom action's attachment matches (`NotificationType` in the
 * chat API's CustomActionAttachment: 1-100 letters, digits and `-`).
 */
import * as z from 'zod';

const text = z.string().min(1);

export const CustomNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: text.optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: text.optional(),
    description: text,
    nextSteps: z.array(text).optional(),
    keywords: z.array(text).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: text.optional(),
      summary: text.optional(),
      eventType: z
        .string()
        .regex(/^[a-zA-Z0-9-]{1,100}$/)
        .optional(),
      relatedResources: z.array(text).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});
