import * as z from 'zod';

/**
 * CreateTags / DeleteTags as CloudTrail records them: `resourcesSet.items[].resourceId` and
 * `tagSet.items[].{key, value}`. No real sample of either is public, so the shape is read
 * leniently: unknown fields pass, an item without a usable resource id or key is skipped by
 * the parser instead of failing the event, and DeleteTags may leave out values (or the whole
 * tag set, which deletes every tag).
 */
const LenientList = <T extends z.ZodType>(item: T) =>
  z
    .looseObject({ items: z.array(item).max(1000, 'more than 1000 items').optional() })
    .nullish()
    .transform((list) => list?.items ?? []);

// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const TagsRequestSchema = z.lazy(() =>
  z.looseObject({
    resourcesSet: LenientList(z.looseObject({ resourceId: z.unknown().optional() })),
    tagSet: LenientList(z.looseObject({ key: z.unknown().optional(), value: z.unknown().optional() })).optional(),
  }),
);

export type TagsRequest = z.infer<typeof TagsRequestSchema>;
