import * as z from 'zod';
import { AWS_REGION } from './event/schemas/cloudtrail-record.schema';

/**
 * Which accounts and regions the scheduled sweep covers, as the environment gives them
 * (SENTRY_SWEEP_ACCOUNTS, SENTRY_SWEEP_REGIONS, each a JSON array; unset: the schedule's own).
 */
// Built on first use (z.lazy): only a function that sweeps other accounts or regions reads it.
export const SweepSettingsSchema = z.lazy(() =>
  z.object({
    accounts: z
      .union(
        [
          z.tuple([z.literal('organization')]).transform(() => 'organization' as const),
          z
            .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit account id, or the list must be exactly ["organization"]'))
            .min(1, 'must name at least one account'),
        ],
        { error: 'expected a JSON array of 12-digit account ids, or ["organization"]' },
      )
      .optional(),
    regions: z
      .array(z.string().regex(AWS_REGION, 'not an AWS region name'), { error: 'expected a JSON array of region names, like ["eu-west-1"]' })
      .min(1, 'must name at least one region')
      .optional(),
  }),
);

export type SweepSettings = z.infer<typeof SweepSettingsSchema>;
