import * as z from 'zod';

/**
 * CreateTags / DeleteTags as CloudTrail records them: `resourcesSet.items[].resourceId` and
 * `tagSet.items[].{key, value}`. No real sample of either is public, so the shape is read
 * leniently: unknown fields pass, an item without a usable resource id or key is skipped by
 * the parser instead of failing the event, and DeleteTags may leave out values (or the whole
 * tag set, which deletes every tag).
 */
const ResourceItemSchema = z.looseObject({ resourceId: z.unknown().optional() });
const TagItemSchema = z.looseObject({ key: z.unknown().optional(), value: z.unknown().optional() });

const LenientList = <T extends z.ZodType>(item: T) =>
  z
    .looseObject({ items: z.array(item).max(1000, 'more than 1000 items').optional() })
    .nullish()
    .transform((list) => list?.items ?? []);

export const TagsRequestSchema = z.looseObject({
  resourcesSet: LenientList(ResourceItemSchema),
  tagSet: LenientList(TagItemSchema).optional(),
});

export type TagsRequest = z.infer<typeof TagsRequestSchema>;
