import * as z from 'zod';

/**
 * `requestParameters` of RestoreManagedPrefixListVersion. No real record has been seen, so only
 * the list's id is relied on, inside the PascalCase wrapper the other prefix-list call uses or,
 * failing that, at the top.
 */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const RestoreManagedPrefixListVersionRequestSchema = z.lazy(() =>
  z.union([
    z
      .object({ RestoreManagedPrefixListVersionRequest: z.object({ PrefixListId: z.string().trim().min(1) }) })
      .transform((r) => r.RestoreManagedPrefixListVersionRequest.PrefixListId),
    z.object({ PrefixListId: z.string().trim().min(1) }).transform((r) => r.PrefixListId),
    z.object({ prefixListId: z.string().trim().min(1) }).transform((r) => r.prefixListId),
  ]),
);
