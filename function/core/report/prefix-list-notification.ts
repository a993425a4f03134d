/**
 * What the notification of a prefix-list change says beyond a group change: which list (id and
 * name), the entries that opened a watched rule, the groups that reference the list, and what
 * was done to the list. The rest of the email (who, when, the findings, how to undo) is the
 * event email's.
 */
import type { EventReport, PrefixListReport } from './report';
import { consoleHost, emailText, plural, subjectText } from './text';

const EMAIL_ENTRIES_LIMIT = 20;
const EMAIL_GROUPS_LIMIT = 20;

const OUTCOME_WORDS: Readonly<Record<PrefixListReport['outcome'], string>> = {
  removed: 'removed',
  'would-remove': 'would remove',
  exempt: 'exempt change:',
  failed: 'FAILED to remove',
  'nothing-to-remove': 'allowed change of',
  'not-inspected': 'not inspected:',
};

function listLabel(list: PrefixListReport): string {
  return list.name ? `${list.prefix_list_id} (${list.name})` : list.prefix_list_id;
}

function more(count: number, shown: number): string {
  return count > shown ? ` (+${count - shown} more)` : '';
}

/** `sg-sentry: removed 0.0.0.0/0 from pl-0abc "office", used by 2 groups`; the name is quoted, as event text. */
export function prefixListSubject(list: PrefixListReport): string {
  const words = OUTCOME_WORDS[list.outcome];
  const [firstEntry] = list.offending_entries;
  const what = firstEntry === undefined ? '' : `${firstEntry.cidr}${more(list.offending_entries.length, 1)} from `;
  const name = list.name ? ` "${list.name}"` : '';
  const groups = list.referencing_groups.length > 0 ? `, used by ${plural(list.referencing_groups.length, 'group')}` : '';
  return subjectText(`sg-sentry: ${words} ${what}${list.prefix_list_id}${name}${groups}`);
}

/** The email's first line: `REMOVED FROM PREFIX LIST: ModifyManagedPrefixList of pl-0abc (office)`. */
export function prefixListHeadline(report: EventReport, list: PrefixListReport): string {
  const words = {
    removed: 'REMOVED FROM PREFIX LIST',
    'would-remove': 'WOULD REMOVE FROM PREFIX LIST (report mode: nothing was changed)',
    exempt: 'EXEMPT PREFIX LIST CHANGE',
    failed: 'FAILED TO REMOVE FROM PREFIX LIST',
    'nothing-to-remove': 'ALLOWED PREFIX LIST CHANGE',
    'not-inspected': 'PREFIX LIST NOT INSPECTED',
  }[list.outcome];
  return `${words}: ${emailText(report.event_name)} of ${emailText(listLabel(list), 200)}`;
}

/** The list, its offending entries and the groups that reference it. */
export function prefixListSection(report: EventReport, list: PrefixListReport): string[] {
  const host = consoleHost(report.region);
  const versions =
    list.new_version !== undefined ? `${list.version ?? '-'}, after removal ${list.new_version}` : String(list.version ?? '-');
  const lines = [
    'Prefix list',
    `  id: ${emailText(list.prefix_list_id, 60)}`,
    `  name: ${emailText(list.name, 200)}`,
    `  owner: ${emailText(list.owner_id, 40)}`,
    `  version read: ${versions}`,
    `  entries: ${list.entries}`,
    ...(list.detail !== undefined ? [`  ${list.outcome === 'failed' ? 'error' : 'note'}: ${emailText(list.detail)}`] : []),
    `  https://${host}/vpcconsole/home?region=${report.region}#PrefixListDetails:prefixListId=${encodeURIComponent(list.prefix_list_id)}`,
    '',
    `Offending entries (${list.offending_entries.length})`,
    ...list.offending_entries
      .slice(0, EMAIL_ENTRIES_LIMIT)
      .map((e) => `  - ${emailText(e.cidr, 50)}${e.description !== undefined ? ` "${emailText(e.description, 255)}"` : ''}`),
    ...(list.offending_entries.length > EMAIL_ENTRIES_LIMIT
      ? [`  … and ${list.offending_entries.length - EMAIL_ENTRIES_LIMIT} more in the JSON report`]
      : []),
    '',
    `Referencing groups: ${plural(list.referencing_groups.length, 'group')}`,
    ...list.referencing_groups.slice(0, EMAIL_GROUPS_LIMIT).map((g) => `  - ${emailText(g, 40)}`),
    ...(list.referencing_groups.length > EMAIL_GROUPS_LIMIT
      ? [`  … and ${list.referencing_groups.length - EMAIL_GROUPS_LIMIT} more in the JSON report`]
      : []),
    '',
  ];
  return lines;
}
