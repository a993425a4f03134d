import * as z from 'zod';
import { PortSchema, ProtocolSchema, ShortText } from './primitives';

const RuleRequestSchema = z.object({
  // Optional in the API: the rule keeps what it had. The engine reads the rule back from EC2 anyway.
  IpProtocol: ProtocolSchema.optional(),
  FromPort: PortSchema.optional(),
  ToPort: PortSchema.optional(),
  CidrIpv4: z.string().optional(),
  CidrIpv6: z.string().optional(),
  PrefixListId: z.string().optional(),
  ReferencedGroupId: z.string().optional(),
  Description: ShortText.optional(),
});

const RuleUpdateSchema = z.object({
  SecurityGroupRuleId: z.string().min(1),
  SecurityGroupRule: RuleRequestSchema,
});

/** CloudTrail writes one update as an object and several as an array. */
export const ModifySecurityGroupRulesRequestSchema = z.object({
  ModifySecurityGroupRulesRequest: z.object({
    GroupId: z.string().min(1),
    SecurityGroupRule: z
      .union([RuleUpdateSchema, z.array(RuleUpdateSchema).max(1000, 'more than 1000 items')])
      .transform((value) => (Array.isArray(value) ? value : [value])),
  }),
});

export type ModifyRuleUpdate = z.infer<typeof RuleUpdateSchema>;
