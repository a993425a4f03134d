import * as z from 'zod';
import { AWS_REGION } from './cloudtrail-record.schema';

/** The EventBridge envelope; `detail` is checked separately once the source is known. */
export const EventBridgeEnvelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().regex(AWS_REGION, 'not an AWS region name').optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});
