import * as z from 'zod';
import { AWS_REGION } from './cloudtrail-record.schema';

/** The body of one sweep-queue message: the account and region to sweep. */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const SweepJobSchema = z.lazy(() =>
  z.object({
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
    region: z.string().regex(AWS_REGION, 'not an AWS region name'),
  }),
);

export type SweepJob = z.infer<typeof SweepJobSchema>;
