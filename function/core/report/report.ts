/**
 * The machine-readable report: what the handler returns, what is logged, and what SNS
 * subscribers that are programs receive (the message's `default`). snake_case, as users'
 * tooling expects.
 */
import type { ChangeCommon, SecurityGroupChange } from '../event/change';
import type { Finding, FindingAction, Verdict } from '../model/finding';
import type { Principal } from '../model/principal';
import { sourceLabel, type Direction, type Rule } from '../model/rule';
import type { Policy, PolicyAction, PolicyMode } from '../policy/policy';
import { groupRestores, type GroupRestore, type Restore } from './restore';
import { boundedText, FIELD_BYTES } from './text';

export interface FindingReport {
  readonly rule_id?: string;
  readonly group_id?: string;
  readonly group_name?: string;
  readonly direction: Direction;
  readonly protocol: string;
  readonly from_port: number | null;
  readonly to_port: number | null;
  readonly source: string;
  readonly source_kind: string;
  readonly description?: string;
  readonly verdict: Verdict;
  readonly action: FindingAction;
  readonly reason: string;
  readonly error?: string;
  /** The finding is about an entry of this prefix list (the rule's source); its action was taken on the entry. */
  readonly prefix_list_id?: string;
}

export interface PrincipalReport {
  readonly arn: string | null;
  readonly type: string | null;
  readonly account_id: string | null;
  readonly issuer_arn: string | null;
  readonly invoked_by: string | null;
  readonly source_ip: string | null;
  readonly user_agent: string | null;
}

/** What a report's Security Hub import did (`SENTRY_SECURITY_HUB`): present only when it is on. */
export interface SecurityHubCounts {
  /** Findings Security Hub accepted (created or updated). */
  readonly imported: number;
  /** Findings it refused, or that could not be sent (each logged at error level). */
  readonly failed: number;
}

export interface EventReport {
  readonly status: 'processed';
  readonly kind: 'event';
  readonly event_id: string;
  readonly event_name: string;
  readonly event_time: string | null;
  readonly account: string | null;
  readonly region: string;
  readonly group_id: string | null;
  readonly group_name: string | null;
  readonly vpc_id: string | null;
  /** The caller's ARN; the details are in `principal_details`. */
  readonly principal: string | null;
  readonly principal_details: PrincipalReport;
  readonly mode: PolicyMode;
  readonly policy_action: PolicyAction;
  /** The worst verdict among the findings. */
  readonly verdict: Verdict;
  readonly findings: readonly FindingReport[];
  /**
   * How to re-create what was revoked or restricted (per group and direction) or removed from a
   * prefix list; empty in report mode.
   */
  readonly restore: readonly Restore[];
  /** The record had no `eventID`; `event_id` was derived from its content. */
  readonly event_id_derived?: true;
  /** For a change of a managed prefix list: the list, what made it offending, and what was done. */
  readonly prefix_list?: PrefixListReport;
  /**
   * Present when the event itself could not be read: why, and that the findings are the current
   * rules of the groups it names, judged as the sweep judges them.
   */
  readonly unreadable_event?: UnreadableEventReport;
  /** For CreateTags / DeleteTags: which tags changed, and an unapproved exception removed. */
  readonly tag_change?: TagChangeFacts;
  /** A delivery of this event had already notified (state table): nothing was sent this time. */
  readonly duplicate?: true;
  /** Set after the notification, when findings go to Security Hub too. */
  readonly security_hub?: SecurityHubCounts;
}

/** A tag set or removed, as the request named it. */
export interface TagReport {
  readonly key: string;
  readonly value?: string;
}

/** An exception tag set by someone `exception_approvers` does not name. */
export interface UnapprovedExceptionReport {
  readonly tag: string;
  readonly value: string;
  /** Who set it (`principal` of the event). */
  readonly set_by: string | null;
  /** `removed`; `would-remove` in report mode; `failed` when DeleteTags failed (`error`); `changed-since` when the group no longer carries that value. */
  readonly action: 'removed' | 'would-remove' | 'failed' | 'changed-since';
  readonly reason: string;
  readonly error?: string;
}

export interface TagChangeFacts {
  readonly kind: 'set' | 'removed';
  /** The tags the call set or removed that sg-sentry reads; `all`: DeleteTags without a tag set. */
  readonly tags: readonly TagReport[] | 'all';
  readonly unapproved_exception?: UnapprovedExceptionReport;
  /** EC2's answer when the group's rules or tags could not be read for good: nothing was judged. */
  readonly could_not_judge?: string;
}

/** What sg-sentry did for a CreateTags / DeleteTags call: one event report per security group it names. */
export interface TagChangeReport {
  readonly status: 'processed';
  readonly kind: 'tag-change';
  readonly event_id: string;
  readonly event_name: string;
  readonly account: string | null;
  readonly region: string;
  readonly principal: string | null;
  readonly groups: readonly EventReport[];
  /** Groups the call named that the policy does not watch, with why. */
  readonly not_watched: readonly { readonly group_id: string; readonly reason: string }[];
}

export interface UnreadableEventReport {
  readonly problems: readonly string[];
  /** The groups whose current rules were judged instead. */
  readonly judged_groups: readonly string[];
}

/** What happened to a prefix list whose entries changed. */
export interface PrefixListReport {
  readonly prefix_list_id: string;
  readonly name: string | null;
  /** `AWS`, or the owning account. */
  readonly owner_id: string | null;
  /** The version the entries were read at. */
  readonly version: number | null;
  /** The version after sg-sentry removed entries. */
  readonly new_version?: number;
  /** How many entries the list held when read. */
  readonly entries: number;
  /** Entries that make a watched rule referencing the list a violation. */
  readonly offending_entries: readonly { readonly cidr: string; readonly description?: string }[];
  /** Groups with a watched rule that references the list. */
  readonly referencing_groups: readonly string[];
  readonly outcome: 'removed' | 'would-remove' | 'exempt' | 'failed' | 'nothing-to-remove' | 'not-inspected';
  /** Why nothing was removed, or what failed. */
  readonly detail?: string;
}

/** What a scheduled sweep (or `sg-sentry scan`) counted, by rule. */
export interface SweepCounts {
  /** Distinct security groups whose rules were examined. */
  readonly groups: number;
  readonly rules: number;
  readonly allowed: number;
  readonly violations: number;
  readonly exempt: number;
  readonly revoked: number;
  readonly restricted: number;
  readonly already_removed: number;
  readonly failed: number;
  /** Violations left in place because the mode is `report`. */
  readonly reported: number;
  /** Rules EC2 listed that could not be read, so not judged: counted among the violations, left in place. */
  readonly cannot_evaluate: number;
}

/**
 * A part of the region the sweep did not examine. `group_ids: null` means every group (the
 * policy watches `"*"`); `next_token` is where listing stopped (null: it had not started).
 */
export interface SweepRemainder {
  readonly group_ids: readonly string[] | null;
  readonly next_token: string | null;
  readonly reason: string;
}

/** A time-boxed exception that exempted rules in this sweep. */
export interface ExceptionInForce {
  readonly group_id: string;
  readonly group_name?: string;
  readonly tag: string;
  /** The end, UTC. */
  readonly until: string;
}

export interface SweepReport {
  readonly status: 'processed';
  readonly kind: 'sweep';
  readonly event_id: string | null;
  readonly event_name: 'Scheduled Event';
  readonly event_time: string | null;
  readonly account: string | null;
  readonly region: string;
  readonly mode: PolicyMode;
  readonly policy_action: PolicyAction;
  /** The worst verdict among the findings. */
  readonly verdict: Verdict;
  readonly counts: SweepCounts;
  /** DescribeSecurityGroupRules pages read. */
  readonly pages: number;
  /** Every rule that is not allowed (violations and exempt ones), each with its group_id. */
  readonly findings: readonly FindingReport[];
  /** True when some of the region was not examined (`not_reached` says what). */
  readonly incomplete: boolean;
  readonly not_reached: readonly SweepRemainder[];
  /** Failures that did not stop the sweep, e.g. a page that kept failing after the SDK's retries. */
  readonly errors: readonly string[];
  /** The time-boxed exceptions that kept rules in place, by group, soonest end first. */
  readonly exceptions_in_force: readonly ExceptionInForce[];
  /** How to re-create what the sweep revoked or restricted, per group and direction. */
  readonly restore: readonly GroupRestore[];
  /** A delivery of this sweep had already sent its summary (state table): nothing was sent this time. */
  readonly duplicate?: true;
  /** Set after the summary, when findings go to Security Hub too. */
  readonly security_hub?: SecurityHubCounts;
}

export interface SkippedReport {
  readonly status: 'ignored' | 'invalid';
  readonly event_id: string | null;
  readonly event_name: string | null;
  readonly reason: string;
  readonly problems?: readonly string[];
  /** A watched event that could not be read and named no group to judge instead: people were told. */
  readonly could_not_check?: true;
  /** A redelivery of an event whose "could not be checked" notification was already sent. */
  readonly duplicate?: true;
  readonly findings: readonly FindingReport[];
}

export function findingReport(finding: Finding): FindingReport {
  const rule: Rule = finding.rule;
  return {
    ...(rule.ruleId !== undefined ? { rule_id: rule.ruleId } : {}),
    ...(rule.groupId !== undefined ? { group_id: rule.groupId } : {}),
    ...(rule.groupName !== undefined ? { group_name: boundedText(rule.groupName) } : {}),
    direction: rule.direction,
    protocol: rule.protocol,
    from_port: rule.fromPort ?? null,
    to_port: rule.toPort ?? null,
    source: sourceLabel(rule.source),
    source_kind: rule.source.kind,
    ...(rule.description !== undefined ? { description: boundedText(rule.description) } : {}),
    verdict: finding.verdict,
    action: finding.action,
    reason: boundedText(finding.reason, 2 * FIELD_BYTES),
    ...(finding.error !== undefined ? { error: boundedText(finding.error) } : {}),
    ...(finding.prefixListId !== undefined ? { prefix_list_id: finding.prefixListId } : {}),
  };
}

function principalReport(principal: Principal): PrincipalReport {
  return {
    arn: boundedText(principal.arn) ?? null,
    type: boundedText(principal.type) ?? null,
    account_id: boundedText(principal.accountId) ?? null,
    issuer_arn: boundedText(principal.issuerArn) ?? null,
    invoked_by: boundedText(principal.invokedBy) ?? null,
    source_ip: boundedText(principal.sourceIp) ?? null,
    user_agent: boundedText(principal.userAgent) ?? null,
  };
}

export function worstVerdict(findings: readonly { verdict: Verdict }[]): Verdict {
  if (findings.some((f) => f.verdict === 'violation')) return 'violation';
  if (findings.some((f) => f.verdict === 'exempt')) return 'exempt';
  return 'allowed';
}

/** Sort order for showing findings: violations, then exempt ones, then allowed. */
export function byVerdictSeverity(a: { verdict: Verdict }, b: { verdict: Verdict }): number {
  const rank = (v: Verdict) => (v === 'violation' ? 0 : v === 'exempt' ? 1 : 2);
  return rank(a.verdict) - rank(b.verdict);
}

/** What DescribeSecurityGroups said about the changed group, when it was asked. */
export interface GroupFacts {
  readonly groupName?: string;
  readonly vpcId?: string;
}

/** The report of one change: who changed which group, and a finding per rule. */
export function eventReport(
  change: ChangeCommon & Pick<SecurityGroupChange, 'groupId' | 'groupName'>,
  group: GroupFacts | undefined,
  findings: readonly Finding[],
  policy: Policy,
): EventReport {
  return {
    status: 'processed',
    kind: 'event',
    event_id: boundedText(change.eventId),
    ...(change.eventIdDerived ? { event_id_derived: true as const } : {}),
    event_name: change.eventName,
    event_time: change.eventTime ?? null,
    account: change.account ?? null,
    region: change.region,
    group_id: change.groupId ?? null,
    group_name: boundedText(group?.groupName ?? change.groupName) ?? null,
    vpc_id: group?.vpcId ?? null,
    principal: boundedText(change.principal.arn) ?? null,
    principal_details: principalReport(change.principal),
    mode: policy.mode,
    policy_action: policy.action,
    verdict: worstVerdict(findings),
    findings: findings.map(findingReport),
    restore: groupRestores(findings, { account: change.account ?? null, region: change.region }),
  };
}
