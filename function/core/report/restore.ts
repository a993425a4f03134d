/**
 * How to undo what sg-sentry changed, one paste per group and direction: the exact
 * `IpPermissions` it revoked and a one-line AWS CLI v2 command that authorizes them again.
 *
 * Rule descriptions are chosen by whoever made the change, so they may hold quotes, `$`,
 * backticks, `;` or line breaks. The JSON is therefore single-quoted (a shell expands nothing
 * inside single quotes; a `'` is written `'\''`), and written in ASCII with every other
 * character as a JSON `\u` escape, so the command is one printable line that a mail client or
 * terminal shows as it is. `/` is escaped too (`\/`, the same string to any JSON reader), so a
 * URL in a description is not made a link.
 */
import { ipPermissionsOf, type IpPermissionShape } from '../model/ip-permission';
import type { Finding } from '../model/finding';
import type { Direction, Rule } from '../model/rule';
import { plainText } from './text';

export interface GroupRestore {
  readonly account: string | null;
  readonly region: string;
  /** Null for a default-VPC group the event named only by name (`group_name` then says which). */
  readonly group_id: string | null;
  readonly group_name?: string;
  readonly direction: Direction;
  readonly ip_permissions: readonly IpPermissionShape[];
  readonly command: string;
}

/** The entries sg-sentry removed from a prefix list, and the command that adds them back. */
export interface PrefixListRestore {
  readonly account: string | null;
  readonly region: string;
  readonly prefix_list_id: string;
  readonly prefix_list_name?: string;
  /** The list's version after the removal: what `--current-version` must name for the re-add. */
  readonly current_version: number;
  readonly add_entries: readonly { readonly Cidr: string; readonly Description?: string }[];
  readonly command: string;
}

export type Restore = GroupRestore | PrefixListRestore;

/** Words a shell reads as themselves; anything else is quoted. */
const PLAIN_WORD = /^[A-Za-z0-9._:/-]+$/;

/** `'…'`, with each `'` inside written `'\''`: the shell expands nothing in it. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function shellWord(text: string): string {
  return PLAIN_WORD.test(text) ? text : shellQuote(text);
}

/** JSON in printable ASCII: the same value to any JSON parser, one line, no link to click. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** A command line from words already safe for a shell. */
export function commandLine(words: readonly string[]): string {
  return words.join(' ');
}

/** `aws ec2 authorize-security-group-ingress --region R --group-id G --ip-permissions '<json>'`. */
export function authorizeCommand(
  region: string,
  target: { groupId?: string; groupName?: string },
  direction: Direction,
  permissions: readonly IpPermissionShape[],
): string {
  const group =
    target.groupId !== undefined ? ['--group-id', shellWord(target.groupId)] : ['--group-name', shellWord(target.groupName ?? '')];
  return commandLine([
    'aws',
    'ec2',
    direction === 'ingress' ? 'authorize-security-group-ingress' : 'authorize-security-group-egress',
    '--region',
    shellWord(region),
    ...group,
    '--ip-permissions',
    shellQuote(asciiJson(permissions)),
  ]);
}

/** What was taken away from a group: a revoke, or the revoke a restrict began with. A prefix-list entry's removal is restored by its list's command. */
function wasRemoved(finding: Finding): boolean {
  return (
    finding.prefixListId === undefined &&
    finding.verdict === 'violation' &&
    (finding.action === 'revoked' || finding.action === 'restricted')
  );
}

/** `aws ec2 modify-managed-prefix-list --region R --prefix-list-id P --current-version N --add-entries '<json>'`. */
export function prefixListRestore(
  where: { readonly account: string | null; readonly region: string },
  list: { readonly prefixListId: string; readonly name?: string; readonly version: number },
  entries: readonly { readonly cidr: string; readonly description?: string }[],
): PrefixListRestore {
  const add = entries.map((e) => ({ Cidr: e.cidr, ...(e.description !== undefined ? { Description: e.description } : {}) }));
  return {
    account: where.account,
    region: where.region,
    prefix_list_id: list.prefixListId,
    ...(list.name !== undefined ? { prefix_list_name: list.name } : {}),
    current_version: list.version,
    add_entries: add,
    command: commandLine([
      'aws',
      'ec2',
      'modify-managed-prefix-list',
      '--region',
      shellWord(where.region),
      '--prefix-list-id',
      shellWord(list.prefixListId),
      '--current-version',
      String(list.version),
      '--add-entries',
      shellQuote(asciiJson(add)),
    ]),
  };
}

/**
 * One restore per group and direction whose rules sg-sentry revoked or restricted, in the order
 * the findings came. Nothing for report mode or rules that were already gone: nothing was removed.
 */
export function groupRestores(
  findings: readonly Finding[],
  where: { readonly account: string | null; readonly region: string },
): GroupRestore[] {
  const batches = new Map<string, { direction: Direction; groupId?: string; groupName?: string; rules: Rule[] }>();
  for (const finding of findings) {
    if (!wasRemoved(finding)) continue;
    const { rule } = finding;
    if (rule.groupId === undefined && rule.groupName === undefined) continue;
    const key = `${rule.groupId ?? `name:${rule.groupName}`}|${rule.direction}`;
    const batch = batches.get(key) ?? {
      direction: rule.direction,
      ...(rule.groupId !== undefined ? { groupId: rule.groupId } : { groupName: rule.groupName }),
      rules: [],
    };
    batches.set(key, batch);
    batch.rules.push(rule);
  }
  return [...batches.values()].map((batch) => {
    const permissions = ipPermissionsOf(batch.rules, true);
    return {
      account: where.account,
      region: where.region,
      group_id: batch.groupId ?? null,
      ...(batch.groupId === undefined && batch.groupName !== undefined ? { group_name: batch.groupName } : {}),
      direction: batch.direction,
      ip_permissions: permissions,
      command: authorizeCommand(where.region, batch, batch.direction, permissions),
    };
  });
}

/** Commands an email shows, and the longest one it shows whole; the JSON report has them all. */
const EMAIL_COMMANDS_LIMIT = 10;
const EMAIL_COMMAND_CHARS = 8000;

/**
 * The email's "To undo this revert" section: what each command restores, then the command on a
 * line of its own, exactly as it must be pasted (it is ASCII and shell-safe already).
 */
export function undoSection(restores: readonly Restore[]): string[] {
  if (restores.length === 0) return [];
  const lines = ['', 'To undo this revert (AWS CLI v2, one command per line)'];
  restores.slice(0, EMAIL_COMMANDS_LIMIT).forEach((restore, index) => {
    const what =
      'prefix_list_id' in restore
        ? `entries of prefix list ${plainText(restore.prefix_list_id, 60)}${restore.prefix_list_name ? ` (${plainText(restore.prefix_list_name, 120)})` : ''}`
        : `${restore.direction} rules of ${plainText(restore.group_id ?? restore.group_name, 120)}`;
    lines.push(`  ${index + 1}. ${what}:`);
    lines.push(
      restore.command.length <= EMAIL_COMMAND_CHARS
        ? restore.command
        : `  (too long for this email: restore[${index}].command in the JSON report)`,
    );
  });
  if (restores.length > EMAIL_COMMANDS_LIMIT)
    lines.push(`  … and ${restores.length - EMAIL_COMMANDS_LIMIT} more in the JSON report (restore)`);
  return lines;
}
