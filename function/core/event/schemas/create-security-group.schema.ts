import * as z from 'zod';

/**
 * CreateSecurityGroup: the new group's id is in the response. The request (`groupName`,
 * `groupDescription`, `vpcId`, tags) says nothing about rules: EC2 gives every new VPC group
 * one default egress rule (all traffic to 0.0.0.0/0), which is read back from EC2.
 */
// Built on first use (z.lazy): a cold start on another event (most often an Authorize) never builds it.
export const CreateSecurityGroupResponseSchema = z.lazy(() =>
  z.object({
    groupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/i, 'not a security group id'),
  }),
);

export const CreateSecurityGroupRequestSchema = z.lazy(() => z.object({ groupName: z.string().optional() }).nullish());
