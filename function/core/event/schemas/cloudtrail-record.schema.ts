import * as z from 'zod';

/** `us-east-1`, `us-gov-west-1`, `cn-north-1`: EC2 is called there, so it must be a region name. */
export const AWS_REGION = /^[a-z]{2,4}(-[a-z0-9]+){1,4}$/;

const SessionIssuerSchema = z.object({ arn: z.string().optional(), type: z.string().optional() }).partial().nullish();

const UserIdentitySchema = z
  .object({
    type: z.string().optional(),
    arn: z.string().optional(),
    accountId: z.string().optional(),
    invokedBy: z.string().optional(),
    sessionContext: z.object({ sessionIssuer: SessionIssuerSchema }).partial().nullish(),
  })
  .nullish();

/**
 * The fields of a CloudTrail record that decide what to do with it. `requestParameters` and
 * `responseElements` are parsed per event name once the record is known to be one we act on.
 */
export const CloudTrailRecordSchema = z.object({
  eventVersion: z.string().optional(),
  /** Absent only in abridged copies; `parse-event.ts` then derives one from the content. */
  eventID: z.string().min(1).optional(),
  eventName: z.string().min(1),
  eventSource: z.string().min(1),
  eventTime: z.string().optional(),
  awsRegion: z.string().regex(AWS_REGION, 'not an AWS region name').optional(),
  recipientAccountId: z.string().optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  userIdentity: UserIdentitySchema,
  requestParameters: z.unknown().optional(),
  responseElements: z.unknown().optional(),
});

export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;
