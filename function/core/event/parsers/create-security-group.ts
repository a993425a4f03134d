/**
 * CreateSecurityGroup: a new group, whose only rule is the default egress rule EC2 adds. The
 * change names the group and carries no rules; `createdGroup` tells the engine to read that
 * rule from EC2 when the egress allowlist does not cover it (`lookup/created-group.ts`).
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import type { EventParser } from '../change';
import { CreateSecurityGroupRequestSchema, CreateSecurityGroupResponseSchema } from '../schemas/create-security-group.schema';

export const parseCreateSecurityGroup: EventParser = ({ record, path, common }) => {
  const response = CreateSecurityGroupResponseSchema.safeParse(record.responseElements);
  if (!response.success) throw EventValidationError.fromZod(response.error, `${path}.responseElements`);
  const request = CreateSecurityGroupRequestSchema.safeParse(record.requestParameters);
  const groupName = request.success ? (request.data?.groupName ?? undefined) : undefined;
  return {
    kind: 'change',
    change: {
      ...common,
      groupId: lowerId(response.data.groupId),
      ...(groupName !== undefined ? { groupName } : {}),
      rules: [],
      undirectedRules: [],
      createdGroup: true,
    },
  };
};
