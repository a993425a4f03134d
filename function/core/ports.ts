/**
 * What the core needs from the outside world. Adapters in function/adapters implement these
 * with the AWS SDK; tests and the CLI plug in their own.
 */
import type { ExemptionRecord, RuleLocation } from './model/exemption-record';
import type { PrefixListEntry, PrefixListInfo } from './model/prefix-list';
import type { SelfIdentity } from './model/principal';
export type { ExemptionRecord, RuleLocation } from './model/exemption-record';
import type { Direction, Rule } from './model/rule';
import type { UnreadableRule } from './model/unreadable-rule';
export type { UnreadableRule } from './model/unreadable-rule';
import type { Policy } from './policy/policy';
import type { MetricsRecord } from './report/metrics';
import type { EventReport } from './report/report';
import type { AsffFinding } from './report/security-hub-findings';

export interface RevokeByIdRequest {
  readonly direction: Direction;
  readonly groupId: string;
  readonly ruleIds: readonly string[];
}

export interface RevokeByPermissionRequest {
  readonly direction: Direction;
  readonly groupId?: string;
  readonly groupName?: string;
  readonly rules: readonly Rule[];
}

export interface RevokeResult {
  /** Rules EC2 reported as not present (`UnknownIpPermissions`): already removed. */
  readonly unknownRules: readonly Rule[];
}

export interface AuthorizeRequest {
  readonly direction: Direction;
  readonly groupId: string;
  /** Each rule carries the description to write. */
  readonly rules: readonly Rule[];
}

export interface DescribeRulesRequest {
  readonly ruleIds?: readonly string[];
  readonly groupIds?: readonly string[];
  readonly nextToken?: string;
  readonly maxResults?: number;
}

export interface DescribeRulesPage {
  readonly rules: readonly Rule[];
  /** Rules of the page that could not be read; absent: none. */
  readonly unreadable?: readonly UnreadableRule[];
  readonly nextToken?: string;
}

export interface GroupInfo {
  readonly groupId: string;
  readonly groupName?: string;
  readonly vpcId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Removes one tag from one group, only while it still has that value (EC2's DeleteTags with a value). */
export interface DeleteTagRequest {
  readonly groupId: string;
  readonly key: string;
  readonly value: string;
}

export interface PrefixListEntriesRequest {
  readonly prefixListId: string;
  /** The entries as of this version (the one DescribeManagedPrefixLists gave); absent = the current ones. */
  readonly version?: number;
}

export interface RemovePrefixListEntriesRequest {
  readonly prefixListId: string;
  /** The version the entries were read at: EC2 refuses the change (`PrefixListVersionMismatch`) if the list moved on. */
  readonly currentVersion: number;
  readonly cidrs: readonly string[];
}

/** EC2 in one region. Failures throw `Ec2CallError`. */
export interface Ec2Port {
  revokeRuleIds(request: RevokeByIdRequest): Promise<RevokeResult>;
  revokePermissions(request: RevokeByPermissionRequest): Promise<RevokeResult>;
  authorizePermissions(request: AuthorizeRequest): Promise<void>;
  describeRules(request: DescribeRulesRequest): Promise<DescribeRulesPage>;
  describeGroups(groupIds: readonly string[]): Promise<readonly GroupInfo[]>;
  /** DescribeSecurityGroups by `GroupNames` (a default-VPC group); an unknown name fails the call (`InvalidGroup.NotFound`). */
  describeGroupByName(groupName: string): Promise<GroupInfo | undefined>;
  deleteTag(request: DeleteTagRequest): Promise<void>;
  /** DescribeManagedPrefixLists by id; one unknown id fails the call (`InvalidPrefixListID.NotFound`). */
  describePrefixLists(prefixListIds: readonly string[]): Promise<readonly PrefixListInfo[]>;
  /** GetManagedPrefixListEntries, every page. */
  prefixListEntries(request: PrefixListEntriesRequest): Promise<readonly PrefixListEntry[]>;
  /** ModifyManagedPrefixList removing entries; answers the list's new version when EC2 gives it. */
  removePrefixListEntries(request: RemovePrefixListEntriesRequest): Promise<{ readonly version?: number }>;
}

export interface NotificationMessage {
  readonly subject: string;
  /** Plain text for people (the SNS `email` protocol). */
  readonly email: string;
  /** The machine-readable report, serialized (the SNS `default`). */
  readonly json: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The event report the message says, for notifiers that format their own (Slack Block Kit). */
  readonly report?: EventReport;
}

export interface NotifierPort {
  publish(message: NotificationMessage): Promise<void>;
}

export type LogSink = (line: Readonly<Record<string, unknown>>) => void;

/** Where the metrics of each report go (CloudWatch's embedded metric format in the Lambda). Never throws. */
export interface MetricsPort {
  record(record: MetricsRecord): void;
}

/** The state table. Failures throw `StateTableError`; callers log them and carry on. */
export interface StatePort {
  /** Writes (or overwrites) the records. */
  recordExemptions(records: readonly ExemptionRecord[]): Promise<void>;
  /** The records kept for these rules; a rule without one is absent from the answer. */
  exemptionsOf(rules: readonly RuleLocation[]): Promise<readonly ExemptionRecord[]>;
}

/** What became of a notification sent at most once per key. */
export type OnceOutcome =
  | { readonly outcome: 'sent' }
  /** A delivery of the same key completed its notification before: nothing was sent. */
  | { readonly outcome: 'duplicate' }
  /** The table could not be used: the notification was sent anyway, and may be sent again. */
  | { readonly outcome: 'unrecorded'; readonly reason: string };

/**
 * One notification per event, over the state table. `send` runs unless a completed record of
 * `key` exists; when it throws, no record is left, so a retry sends. Throws
 * `NotificationInProgressError` while another delivery of the key holds the record.
 */
export interface NotifyOncePort {
  once(key: string, send: () => Promise<void>): Promise<OnceOutcome>;
}

/**
 * Where the core acts: one account and one region. Without an account, the caller's own (a
 * bare CloudTrail record in the CLI).
 */
export interface Target {
  readonly account?: string;
  readonly region: string;
}

/** The ports the core uses in one account and region. */
export interface TargetPorts {
  readonly ec2: Ec2Port;
  /** Security Hub there (`SENTRY_SECURITY_HUB=true`); findings are imported after the notification. */
  readonly securityHub?: SecurityHubPort;
}

/** The sweep queue: one message per target. */
export interface SweepQueuePort {
  /** Sends one job per target; answers the targets that could not be sent (after the adapter's retry). */
  dispatch(targets: readonly Target[]): Promise<{ readonly failed: ReadonlyArray<{ readonly target: Target; readonly error: string }> }>;
}

/** AWS Organizations: the accounts of the organization. */
export interface OrganizationPort {
  /** Every ACTIVE account's id, every page. */
  activeAccounts(): Promise<readonly string[]>;
}

/** Which accounts and regions the scheduled sweep covers (unset: the schedule's own). */
export interface SweepTargetSettings {
  /** Account ids, or every ACTIVE account of the organization. */
  readonly accounts?: readonly string[] | 'organization';
  readonly regions?: readonly string[];
}

/** Everything the core is given: the policy, the ports, the clock. The handler and the CLI build one. */
export interface EngineContext {
  readonly policy: Policy;
  /**
   * The ports for an account and region: calls go to the event's region and, in an
   * organization, its account. undefined: the function cannot act in that account (another
   * account, and no member role to assume there).
   */
  readonly portsFor: (target: Target) => TargetPorts | undefined;
  /** The scheduled sweep's targets; absent: the schedule's own account and region. */
  readonly sweepTargets?: SweepTargetSettings;
  /** With it, the schedule only dispatches, and the function sweeps the jobs it consumes. */
  readonly sweepQueue?: SweepQueuePort;
  /** For `sweepTargets.accounts = 'organization'`. */
  readonly organization?: OrganizationPort;
  readonly notifier?: NotifierPort;
  /** The state table (`SENTRY_STATE_TABLE`); without it exemptions are not remembered for the sweep. */
  readonly state?: StatePort;
  /** One notification per event (`SENTRY_STATE_TABLE`); without it every delivery notifies. */
  readonly notifyOnce?: NotifyOncePort;
  /** sg-sentry's own role and session: its own changes are exempt. */
  readonly self?: SelfIdentity;
  readonly log: LogSink;
  /** Absent: no metrics (the CLI). */
  readonly metrics?: MetricsPort;
  readonly now: () => Date;
}

/** One finding Security Hub did not import, as BatchImportFindings' `FailedFindings` names it. */
export interface FailedSecurityHubFinding {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** Security Hub in one account and region. Never throws: what was not imported is in the answer. */
export interface SecurityHubPort {
  importFindings(findings: readonly AsffFinding[]): Promise<{ readonly failed: readonly FailedSecurityHubFinding[] }>;
}
