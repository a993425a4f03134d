import * as z from 'zod';

/** A batch Lambda's SQS event source mapping delivers; only what the sweep consumer reads. */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const SqsEventSchema = z.lazy(() =>
  z.object({
    Records: z
      .array(
        z.object({
          messageId: z.string().min(1),
          eventSource: z.literal('aws:sqs'),
          body: z.string(),
        }),
      )
      .min(1, 'an SQS batch holds at least one record'),
  }),
);

export type SqsEvent = z.infer<typeof SqsEventSchema>;
