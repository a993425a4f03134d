import * as z from 'zod';
import { itemList, PortSchema, ProtocolSchema, ShortText } from './primitives';

/** One item of `responseElements.securityGroupRuleSet`: a rule EC2 created, with its id. */
const CreatedRuleSchema = z.object({
  groupId: z.string().min(1),
  securityGroupRuleId: z.string().min(1),
  isEgress: z.boolean(),
  ipProtocol: ProtocolSchema,
  fromPort: PortSchema.optional(),
  toPort: PortSchema.optional(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
  prefixListId: z.string().optional(),
  referencedGroupInfo: z.object({ groupId: z.string().optional(), userId: z.string().optional() }).optional(),
  description: ShortText.optional(),
});

/** Authorize responses: older records carry only `{requestId, _return}`. */
export const AuthorizeResponseSchema = z.object({
  _return: z.boolean().optional(),
  securityGroupRuleSet: itemList(CreatedRuleSchema, 5000),
});

export type CreatedRule = z.infer<typeof CreatedRuleSchema>;
