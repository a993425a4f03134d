/**
 * What CreateTags and DeleteTags share: the security groups among the resources, and the tags
 * set or removed. Other resources (instances, volumes, …) are ignored, and so is a call that
 * names no security group.
 */
import { EventValidationError } from '../../errors';
import { lowerId } from '../../model/ids';
import type { ParsedEvent, ParserInput, TagChange, TagChangeKind } from '../change';
import { TagsRequestSchema } from '../schemas/tags-request.schema';

const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/i;

export function parseTagsRequest({ record, path, common }: ParserInput, kind: TagChangeKind): ParsedEvent {
  const request = TagsRequestSchema.safeParse(record.requestParameters ?? {});
  if (!request.success) throw EventValidationError.fromZod(request.error, `${path}.requestParameters`);
  const groupIds = [
    ...new Set(
      request.data.resourcesSet.flatMap((item) =>
        typeof item.resourceId === 'string' && SECURITY_GROUP_ID.test(item.resourceId.trim()) ? [lowerId(item.resourceId.trim())] : [],
      ),
    ),
  ];
  if (groupIds.length === 0)
    return { kind: 'ignored', reason: `${common.eventName} names no security group`, eventId: common.eventId, eventName: common.eventName };
  const tagSet = request.data.tagSet;
  const tags: TagChange['tags'] =
    tagSet === undefined
      ? 'all'
      : tagSet.flatMap((item) =>
          typeof item.key === 'string' && item.key !== ''
            ? [{ key: item.key, ...(typeof item.value === 'string' ? { value: item.value } : {}) }]
            : [],
        );
  return { kind: 'tag-change', change: { ...common, kind, groupIds, tags } };
}
