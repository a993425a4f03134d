/** DeleteTags on security groups: an exception or exclusion tag removed (without a tag set: every tag). */
import type { EventParser } from '../change';
import { parseTagsRequest } from './tags';

export const parseDeleteTags: EventParser = (input) => parseTagsRequest(input, 'removed');
