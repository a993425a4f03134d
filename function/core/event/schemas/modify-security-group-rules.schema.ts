import * as z from 'zod';
import { PortSchema, ProtocolSchema, ShortText } from './primitives';

const ruleUpdateSchema = () =>
  z.object({
    SecurityGroupRuleId: z.string().min(1),
    SecurityGroupRule: z.object({
      // Optional in the API: the rule keeps what it had. The engine reads the rule back from EC2 anyway.
      IpProtocol: ProtocolSchema.optional(),
      FromPort: PortSchema.optional(),
      ToPort: PortSchema.optional(),
      CidrIpv4: z.string().optional(),
      CidrIpv6: z.string().optional(),
      PrefixListId: z.string().optional(),
      ReferencedGroupId: z.string().optional(),
      Description: ShortText.optional(),
    }),
  });

/** CloudTrail writes one update as an object and several as an array. */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const ModifySecurityGroupRulesRequestSchema = z.lazy(() => {
  const update = ruleUpdateSchema();
  return z.object({
    ModifySecurityGroupRulesRequest: z.object({
      GroupId: z.string().min(1),
      SecurityGroupRule: z
        .union([update, z.array(update).max(1000, 'more than 1000 items')])
        .transform((value) => (Array.isArray(value) ? value : [value])),
    }),
  });
});

export type ModifyRuleUpdate = z.infer<ReturnType<typeof ruleUpdateSchema>>;
