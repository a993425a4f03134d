import * as z from 'zod';
import { IpPermissionSchema } from './ip-permission.schema';
import { itemList, PortSchema, ProtocolSchema } from './primitives';

/**
 * `requestParameters` of AuthorizeSecurityGroupIngress/Egress: the `ipPermissions` list, or the
 * legacy top-level form (`cidrIp`, `ipProtocol`, `fromPort`, `toPort`, or a source group by name)
 * with `ipPermissions: {}`. The group is named by id or, in the default VPC, by name.
 */
export const AuthorizeRequestSchema = z
  .object({
    groupId: z.string().min(1).optional(),
    groupName: z.string().min(1).optional(),
    ipPermissions: itemList(IpPermissionSchema, 5000),
    cidrIp: z.string().optional(),
    ipProtocol: ProtocolSchema.optional(),
    fromPort: PortSchema.optional(),
    toPort: PortSchema.optional(),
    sourceSecurityGroupName: z.string().min(1).optional(),
    sourceSecurityGroupOwnerId: z.string().optional(),
  })
  .refine((r) => r.groupId !== undefined || r.groupName !== undefined, {
    message: 'neither groupId nor groupName is present',
    path: ['groupId'],
  });

export type AuthorizeRequest = z.infer<typeof AuthorizeRequestSchema>;
