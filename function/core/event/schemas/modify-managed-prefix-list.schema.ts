import * as z from 'zod';
import { ShortText } from './primitives';

/**
 * One entry of `AddEntry` / `RemoveEntry`. CloudTrail's PascalCase wrapper normally spells the
 * CIDR `Cidr`; the one real console sample spells it `cidr`, so both are read.
 */
const entrySchema = () =>
  z
    .object({
      Cidr: z.string().optional(),
      cidr: z.string().optional(),
      Description: ShortText.optional(),
      description: ShortText.optional(),
    })
    .refine((entry) => entry.Cidr !== undefined || entry.cidr !== undefined, { message: 'names no CIDR (Cidr or cidr)' })
    .transform((entry) => {
      const description = entry.Description ?? entry.description;
      return { cidr: (entry.Cidr ?? entry.cidr ?? '').trim(), ...(description !== undefined ? { description } : {}) };
    });

/**
 * One entry is written as an object, several as an array. The object is read as a list of one
 * (rather than a union) so that a bad entry's problem is named, not "invalid input".
 */
const entriesSchema = () =>
  z.preprocess(
    (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value),
    z.array(entrySchema()).max(1000, 'more than 1000 items'),
  );

/** `requestParameters` of ModifyManagedPrefixList. */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const ModifyManagedPrefixListRequestSchema = z.lazy(() =>
  z.object({
    ModifyManagedPrefixListRequest: z.object({
      PrefixListId: z.string().trim().min(1),
      AddEntry: entriesSchema().optional(),
      RemoveEntry: entriesSchema().optional(),
    }),
  }),
);
