/**
 * Which parser reads which watched event. Typed as a record over `WatchedEventName`, so a name
 * added to `WATCHED_EVENT_NAMES` without a parser here does not compile (a test proves it).
 */
import type { EventParser } from './change';
import { authorizeParser } from './parsers/authorize-security-group';
import { parseCreateSecurityGroup } from './parsers/create-security-group';
import { parseCreateTags } from './parsers/create-tags';
import { parseDeleteTags } from './parsers/delete-tags';
import { parseModifyManagedPrefixList } from './parsers/modify-managed-prefix-list';
import { parseModifySecurityGroupRules } from './parsers/modify-security-group-rules';
import { parseRestoreManagedPrefixListVersion } from './parsers/restore-managed-prefix-list-version';
import type { WatchedEventName } from './watched-events';

export const EVENT_PARSERS: Readonly<Record<WatchedEventName, EventParser>> = {
  AuthorizeSecurityGroupIngress: authorizeParser('ingress'),
  AuthorizeSecurityGroupEgress: authorizeParser('egress'),
  ModifySecurityGroupRules: parseModifySecurityGroupRules,
  CreateSecurityGroup: parseCreateSecurityGroup,
  CreateTags: parseCreateTags,
  DeleteTags: parseDeleteTags,
  ModifyManagedPrefixList: parseModifyManagedPrefixList,
  RestoreManagedPrefixListVersion: parseRestoreManagedPrefixListVersion,
};
