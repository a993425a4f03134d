import * as z from 'zod';

/** Ports arrive as numbers from CloudTrail and as strings from some forwarders (and in ModifySecurityGroupRules). */
export const PortSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d{1,5}$/, 'must be an integer')
      .transform(Number),
  ])
  .pipe(z.number().int('must be an integer').min(-1, 'must be -1 or more').max(65535, 'must be 65535 or less'));

export const ProtocolSchema = z.union([z.string().trim().min(1).max(16), z.number().int()]);

/** EC2 and CloudTrail write an empty list as `{}` and a non-empty one as `{items: [...]}`. */
export function itemList<T extends z.ZodType>(item: T, max = 1000) {
  return z
    .object({ items: z.array(item).max(max, `more than ${max} items`).optional() })
    .nullish()
    .transform((list) => list?.items ?? []);
}

export const ShortText = z.string().max(4096);
