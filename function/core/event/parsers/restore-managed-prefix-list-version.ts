/**
 * RestoreManagedPrefixListVersion: a list went back to an earlier version, which may hold any
 * entries. The request names the list; what it now holds is read from EC2.
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import type { EventParser } from '../change';
import { RestoreManagedPrefixListVersionRequestSchema } from '../schemas/restore-managed-prefix-list-version.schema';

export const parseRestoreManagedPrefixListVersion: EventParser = ({ record, path, common }) => {
  const request = RestoreManagedPrefixListVersionRequestSchema.safeParse(record.requestParameters);
  if (!request.success) {
    throw new EventValidationError(
      [`${path}.requestParameters.RestoreManagedPrefixListVersionRequest.PrefixListId: missing; the request does not name the list`],
      { cause: request.error },
    );
  }
  return { kind: 'prefix-list-change', change: { ...common, prefixListId: lowerId(request.data) } };
};
