import * as z from 'zod';
import { itemList, PortSchema, ProtocolSchema, ShortText } from './primitives';

const IpRangeSchema = z.object({ cidrIp: z.string(), description: ShortText.optional() });
const Ipv6RangeSchema = z.object({ cidrIpv6: z.string(), description: ShortText.optional() });
const PrefixListIdSchema = z.object({ prefixListId: z.string().min(1), description: ShortText.optional() });
const UserIdGroupPairSchema = z.object({
  groupId: z.string().min(1).optional(),
  groupName: z.string().min(1).optional(),
  userId: z.string().optional(),
  vpcId: z.string().optional(),
  vpcPeeringConnectionId: z.string().optional(),
  description: ShortText.optional(),
});

/** One entry of `requestParameters.ipPermissions.items` (CloudTrail's camelCase form). */
export const IpPermissionSchema = z.object({
  ipProtocol: ProtocolSchema,
  fromPort: PortSchema.optional(),
  toPort: PortSchema.optional(),
  ipRanges: itemList(IpRangeSchema),
  ipv6Ranges: itemList(Ipv6RangeSchema),
  prefixListIds: itemList(PrefixListIdSchema),
  groups: itemList(UserIdGroupPairSchema),
});

export type IpPermission = z.infer<typeof IpPermissionSchema>;
