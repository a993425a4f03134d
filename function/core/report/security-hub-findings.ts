/**
 * The findings of a report as AWS Security Finding Format (ASFF) findings, for Security Hub's
 * BatchImportFindings: one per violating or exempt rule, in the account and region the rule
 * lives in, named by the rule (`findingId`) so that a repeat updates the finding instead of
 * adding one. Pure: the time comes from the caller (the engine's clock).
 *
 * Text from the event (group names, descriptions, principals) is escaped as in the email and
 * bounded to ASFF's field limits.
 */
import { cidrContains, parseCidrCached, type CidrRange } from '../model/cidr';
import { canonicalProtocol, openPortRange } from '../model/protocol';
import { partitionOfRegion } from '../model/partition';
import { findingId } from './finding-id';
import type { EventReport, FindingReport, SweepReport } from './report';
import type { GroupRestore, Restore } from './restore';
import { findingRuleText } from './rule-text';
import { groupConsoleUrl, plainText } from './text';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_GENERATOR_ID = 'sg-sentry';
export const ASFF_TYPES = ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'] as const;

export type SeverityLabel = 'CRITICAL' | 'HIGH' | 'MEDIUM';
export type WorkflowStatus = 'NEW' | 'RESOLVED' | 'SUPPRESSED';

/** The subset of ASFF sg-sentry writes; field names and limits are Security Hub's. */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: SeverityLabel };
  readonly Title: string;
  readonly Description: string;
  readonly Resources: readonly {
    readonly Type: 'AwsEc2SecurityGroup';
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
    readonly Details?: { readonly AwsEc2SecurityGroup: { readonly GroupId: string; readonly GroupName?: string; readonly VpcId?: string } };
  }[];
  readonly Workflow: { readonly Status: WorkflowStatus };
  readonly RecordState: 'ACTIVE';
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Remediation: { readonly Recommendation: { readonly Text: string } };
  readonly SourceUrl: string;
}

/** ASFF's limits, in characters. */
const TITLE_LIMIT = 256;
const DESCRIPTION_LIMIT = 1024;
const RECOMMENDATION_LIMIT = 512;
const PRODUCT_FIELD_LIMIT = 2048;

/** Private, shared, loopback and link-local space: a rule from there does not face the internet. */
const NOT_INTERNET = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
]
  .map((cidr) => parseCidrCached(cidr))
  .filter((range): range is CidrRange => range !== undefined);

/** At least this wide (a /8 of IPv4, a /32 of IPv6) and facing the internet: world-open. */
const WIDE_PREFIX = { ipv4: 8, ipv6: 32 } as const;

function portsInclude(f: FindingReport, port: number): boolean {
  const [from, to] = openPortRange(f.from_port, f.to_port);
  return from <= port && port <= to;
}

/**
 * CRITICAL: all traffic, or tcp to 22 (SSH) or 3389 (RDP), from the whole internet (a /0 of
 * either family, however its host bits are written). HIGH: any other rule open to the whole
 * internet, or to a public range at least a /8 (IPv4) or /32 (IPv6) wide. MEDIUM: the rest
 * (narrower public ranges, other groups, prefix lists).
 */
export function severityOf(f: FindingReport): SeverityLabel {
  if (f.source_kind !== 'cidr') return 'MEDIUM';
  const range = parseCidrCached(f.source);
  if (range === undefined) return 'MEDIUM';
  const protocol = canonicalProtocol(f.protocol);
  if (range.prefix === 0) {
    if (protocol === '-1' || (protocol === 'tcp' && (portsInclude(f, 22) || portsInclude(f, 3389)))) return 'CRITICAL';
    return 'HIGH';
  }
  const internal = NOT_INTERNET.some((block) => cidrContains(block, range));
  return !internal && range.prefix <= WIDE_PREFIX[range.family] ? 'HIGH' : 'MEDIUM';
}

export function workflowStatusOf(f: FindingReport): WorkflowStatus {
  if (f.verdict === 'exempt') return 'SUPPRESSED';
  if (f.action === 'revoked' || f.action === 'restricted' || f.action === 'already-removed') return 'RESOLVED';
  return 'NEW';
}

const OUTCOME: Readonly<Record<FindingReport['action'], string>> = {
  revoked: 'revoked',
  restricted: 'restricted',
  'already-removed': 'already removed',
  reported: 'open (report mode)',
  failed: 'open: the revoke FAILED',
  none: 'open',
};

function recommendation(f: FindingReport, restore: Restore | undefined): { text: string; productFields: Record<string, string> } {
  if (f.verdict === 'exempt') return { text: plainText(`Exempt, so left in place: ${f.reason}`, RECOMMENDATION_LIMIT), productFields: {} };
  if (restore !== undefined && (f.action === 'revoked' || f.action === 'restricted')) {
    const what =
      'prefix_list_id' in restore
        ? 'the prefix-list entry was legitimate, cover it in the policy, then add it back'
        : 'the rule was legitimate, cover it in the policy, then re-create it';
    const text = `sg-sentry reverted this change. If ${what}: ${restore.command}`;
    if (text.length <= RECOMMENDATION_LIMIT) return { text, productFields: {} };
    // A command cut to fit would be a different command: it goes whole where there is room for it.
    const fits = restore.command.length <= PRODUCT_FIELD_LIMIT;
    const field: Record<string, string> = fits ? { 'sg-sentry/restore_command': restore.command } : {};
    const where = fits ? 'in the ProductFields key sg-sentry/restore_command' : "in sg-sentry's notification of this event";
    return { text: `sg-sentry reverted this change. If ${what} with the command ${where}.`, productFields: field };
  }
  if (f.action === 'revoked' || f.action === 'restricted' || f.action === 'already-removed') {
    return {
      text: 'sg-sentry reverted this change; nothing is left to do unless the rule was legitimate (then cover it in the policy and re-create it).',
      productFields: {},
    };
  }
  return { text: 'Remove the rule, or add an allow entry that covers it to the sg-sentry policy if it is legitimate.', productFields: {} };
}

/** What re-creates what was removed for this finding: the list's entries for a prefix-list entry, else the group's rules in that direction. */
function restoreOf(restores: readonly Restore[], f: FindingReport, groupId: string): Restore | undefined {
  if (f.prefix_list_id !== undefined) {
    const list = restores.find((r) => 'prefix_list_id' in r && r.prefix_list_id === f.prefix_list_id);
    if (list !== undefined) return list;
  }
  return restores.find((r): r is GroupRestore => 'group_id' in r && r.group_id === groupId && r.direction === f.direction);
}

/** What the report says about who made the change and which event: empty for a sweep. */
function eventFacts(report: EventReport | SweepReport): { eventId?: string; principal?: string; eventTime?: string } {
  if (report.kind !== 'event') return {};
  return {
    eventId: report.event_id,
    ...(report.principal !== null ? { principal: report.principal } : {}),
    ...(report.event_time !== null ? { eventTime: report.event_time } : {}),
  };
}

/**
 * The findings Security Hub is told about (violating and exempt), each with the group it is
 * about: its own, else the event's; null for a group the event named only by name, which
 * Security Hub cannot take (its resource is the group's ARN).
 */
function reportedFindings(report: EventReport | SweepReport): Array<{ readonly f: FindingReport; readonly groupId: string | null }> {
  const eventGroupId = report.kind === 'event' ? report.group_id : null;
  return report.findings.filter((f) => f.verdict !== 'allowed').map((f) => ({ f, groupId: f.group_id ?? eventGroupId }));
}

/** How many of those name no group id. None when the report names no account (nothing is imported then). */
export function findingsWithoutGroupId(report: EventReport | SweepReport): number {
  if (report.account === null) return 0;
  return reportedFindings(report).filter(({ groupId }) => groupId === null).length;
}

/**
 * The ASFF findings of a report: its violating and exempt findings, each with a group id (a
 * rule without one cannot be named in Security Hub). None when the report names no account.
 */
export function securityHubFindingsOf(report: EventReport | SweepReport, now: Date): AsffFinding[] {
  const account = report.account;
  if (account === null) return [];
  const region = report.region;
  const partition = partitionOfRegion(region);
  const time = now.toISOString();
  const event = eventFacts(report);
  const eventGroup =
    report.kind === 'event' ? { id: report.group_id, name: report.group_name, vpc: report.vpc_id } : { id: null, name: null, vpc: null };
  return reportedFindings(report).flatMap(({ f, groupId }): AsffFinding[] => {
    if (groupId === null) return [];
    const groupName = f.group_name ?? (groupId === eventGroup.id ? eventGroup.name : null) ?? undefined;
    const vpcId = groupId === eventGroup.id ? (eventGroup.vpc ?? undefined) : undefined;
    const groupText = groupName !== undefined ? `${groupId} (${plainText(groupName, 100)})` : groupId;
    const rule = `${f.direction} ${plainText(findingRuleText(f), 120)}`;
    const outcome = f.verdict === 'exempt' ? 'exempt' : OUTCOME[f.action];
    const advice = recommendation(f, restoreOf(report.restore, f, groupId));
    const who = event.principal !== undefined ? ` Changed by ${plainText(event.principal, 300)}.` : '';
    const which = event.eventId !== undefined ? ` CloudTrail event ${plainText(event.eventId, 100)}.` : ' Found by the scheduled sweep.';
    return [
      {
        SchemaVersion: ASFF_SCHEMA_VERSION,
        Id: findingId({ account, region, groupId }, f),
        ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
        GeneratorId: ASFF_GENERATOR_ID,
        AwsAccountId: account,
        Region: region,
        Types: [...ASFF_TYPES],
        CreatedAt: event.eventTime ?? time,
        UpdatedAt: time,
        FirstObservedAt: event.eventTime ?? time,
        LastObservedAt: time,
        Severity: { Label: severityOf(f) },
        Title: plainText(`Security group ${groupText}: ${rule} not allowed by policy, ${outcome}`, TITLE_LIMIT),
        Description: plainText(`${f.reason}.${who}${which}${f.error !== undefined ? ` EC2 said: ${f.error}` : ''}`, DESCRIPTION_LIMIT),
        Resources: [
          {
            Type: 'AwsEc2SecurityGroup',
            Id: `arn:${partition}:ec2:${region}:${account}:security-group/${groupId}`,
            Partition: partition,
            Region: region,
            Details: {
              AwsEc2SecurityGroup: {
                GroupId: groupId,
                ...(groupName !== undefined ? { GroupName: plainText(groupName, 255) } : {}),
                ...(vpcId !== undefined ? { VpcId: vpcId } : {}),
              },
            },
          },
        ],
        Workflow: { Status: workflowStatusOf(f) },
        RecordState: 'ACTIVE',
        ProductFields: {
          'sg-sentry/event_id': plainText(report.event_id ?? '-', PRODUCT_FIELD_LIMIT),
          'sg-sentry/found_by': report.kind === 'event' ? 'event' : 'sweep',
          'sg-sentry/principal': plainText(event.principal ?? '-', PRODUCT_FIELD_LIMIT),
          'sg-sentry/action': f.action,
          'sg-sentry/verdict': f.verdict,
          'sg-sentry/mode': report.mode,
          ...(f.rule_id !== undefined ? { 'sg-sentry/rule_id': f.rule_id } : {}),
          ...advice.productFields,
        },
        Remediation: { Recommendation: { Text: advice.text } },
        SourceUrl: groupConsoleUrl(region, groupId),
      },
    ];
  });
}
