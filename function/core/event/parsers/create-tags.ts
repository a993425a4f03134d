/** CreateTags on security groups: an exception or exclusion tag set or changed. */
import type { EventParser } from '../change';
import { parseTagsRequest } from './tags';

export const parseCreateTags: EventParser = (input) => parseTagsRequest(input, 'set');
