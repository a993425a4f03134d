/**
 * ModifyManagedPrefixList: which list changed and what the request added. Entries the request
 * only removes cannot open anything, so such a call is ignored without reading EC2; what the
 * list holds is judged from EC2 anyway, not from the request.
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import type { EventParser } from '../change';
import { ModifyManagedPrefixListRequestSchema } from '../schemas/modify-managed-prefix-list.schema';

export const parseModifyManagedPrefixList: EventParser = ({ record, path, common }) => {
  const request = ModifyManagedPrefixListRequestSchema.safeParse(record.requestParameters);
  if (!request.success) throw EventValidationError.fromZod(request.error, `${path}.requestParameters`);
  const { PrefixListId, AddEntry } = request.data.ModifyManagedPrefixListRequest;
  const prefixListId = lowerId(PrefixListId);
  if (AddEntry === undefined || AddEntry.length === 0) {
    return {
      kind: 'ignored',
      reason: `the request only removes entries from ${prefixListId} (or renames it), which opens nothing`,
      eventId: common.eventId,
      eventName: common.eventName,
    };
  }
  return { kind: 'prefix-list-change', change: { ...common, prefixListId, addedEntries: AddEntry } };
};
