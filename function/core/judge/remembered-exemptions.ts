/**
 * Exemptions that must hold in the sweep. The event path knows who made a change; the sweep
 * only sees the rules. So when the event path lets a violation stand because of its principal
 * (`exempt_principals`, or sg-sentry itself), it remembers the rule (by account, region and
 * rule id) in the state table, and the sweep honours what it finds there instead of revoking a
 * rule a deployer created on purpose every hour.
 *
 * A remembered exemption is honoured only while it still holds: the rule must have the content
 * it had when it was judged (ModifySecurityGroupRules keeps a rule's id), and the policy must
 * still exempt that principal. Exclusions by group or tag are not remembered: the sweep reads
 * those itself, so an expired exception is enforced.
 *
 * A record lives as long as the sweep keeps seeing its rule: it is written to expire 90 days
 * on, and the sweep writes it again with a new expiration once half of that has passed. When
 * the rule is deleted, nothing refreshes the record and the table's TTL removes it.
 */
import type { SecurityGroupChange } from '../event/change';
import type { Finding, Judgement } from '../model/finding';
import type { SelfIdentity } from '../model/principal';
import type { Rule } from '../model/rule';
import { ruleKey } from '../model/rule-key';
import { ruleText } from '../model/rule-text';
import type { Policy } from '../policy/policy';
import type { ExemptionRecord } from '../model/exemption-record';
import { exemptionFor } from './exemptions';

const DAY_S = 24 * 3600;
/** How long a record lives without a sweep that sees its rule. */
export const EXEMPTION_MEMORY_DAYS = 90;

function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

export interface ExemptionsToRemember {
  readonly records: readonly ExemptionRecord[];
  /** Exempt rules that cannot be remembered, and why (no rule id, no account). */
  readonly notRemembered: number;
  readonly why?: string;
}

/**
 * The records for the exempt findings of a change that its principal made exempt (`reason`,
 * from `exemptionFor`). A rule is remembered by its id, so one without an id (records from
 * before EC2 reported them) cannot be; the sweep then judges it on its own.
 */
export function exemptionsToRemember(
  change: SecurityGroupChange,
  findings: readonly Finding[],
  reason: string,
  now: Date,
): ExemptionsToRemember {
  const exempt = findings.filter((f) => f.verdict === 'exempt');
  const account = change.account;
  if (account === undefined) {
    return { records: [], notRemembered: exempt.length, why: 'the event names no account; the sweep will judge these rules on their own' };
  }
  const records: ExemptionRecord[] = [];
  for (const finding of exempt) {
    const { rule } = finding;
    if (rule.ruleId === undefined) continue;
    records.push({
      account,
      region: change.region,
      ruleId: rule.ruleId,
      ...(rule.groupId !== undefined ? { groupId: rule.groupId } : {}),
      rule: ruleKey(rule),
      ruleText: ruleText(rule),
      principal: {
        ...(change.principal.arn !== undefined ? { arn: change.principal.arn } : {}),
        ...(change.principal.issuerArn !== undefined ? { issuerArn: change.principal.issuerArn } : {}),
        ...(change.principal.invokedBy !== undefined ? { invokedBy: change.principal.invokedBy } : {}),
      },
      reason,
      time: change.eventTime ?? now.toISOString(),
      eventId: change.eventId,
      expiration: epochSeconds(now) + EXEMPTION_MEMORY_DAYS * DAY_S,
    });
  }
  const notRemembered = exempt.length - records.length;
  return notRemembered === 0
    ? { records, notRemembered }
    : { records, notRemembered, why: 'the event carries no rule ids; the sweep will judge these rules on their own' };
}

export interface HonouredJudgements {
  readonly judgements: readonly Judgement[];
  /** The records that were honoured (the sweep keeps them from expiring). */
  readonly honoured: readonly ExemptionRecord[];
}

/**
 * The sweep's violations with their remembered exemptions applied: a violation whose record
 * still holds becomes `exempt`; one whose record no longer holds stays a violation and its
 * reason says why the record was not honoured.
 */
export function honourRemembered(
  judgements: readonly Judgement[],
  records: ReadonlyMap<string, ExemptionRecord>,
  policy: Policy,
  self: SelfIdentity | undefined,
): HonouredJudgements {
  const honoured: ExemptionRecord[] = [];
  const out = judgements.map((judgement): Judgement => {
    const record =
      judgement.verdict === 'violation' && judgement.rule.ruleId !== undefined ? records.get(judgement.rule.ruleId) : undefined;
    if (record === undefined) return judgement;
    const remembered = rememberedExemption(record, judgement.rule, policy, self);
    if ('lapsed' in remembered) return { ...judgement, reason: `${judgement.reason} (${remembered.lapsed})` };
    honoured.push(record);
    return { ...judgement, verdict: 'exempt', reason: `${remembered.exempt}; ${judgement.reason}` };
  });
  return { judgements: out, honoured };
}

/**
 * Whether a remembered record still exempts the rule it was kept for: the exempt reason, or why
 * it no longer holds.
 */
export function rememberedExemption(
  record: ExemptionRecord,
  rule: Rule,
  policy: Policy,
  self: SelfIdentity | undefined,
): { readonly exempt: string } | { readonly lapsed: string } {
  const lapsed = lapse(record, rule, policy, self);
  if (lapsed !== undefined) return { lapsed: `the exemption remembered for it no longer holds: ${lapsed}` };
  return { exempt: `exempt when it was made (event ${record.eventId ?? 'unknown'}, ${record.time}): ${record.reason}` };
}

/** Why a record no longer exempts its rule, or undefined while it does. */
function lapse(record: ExemptionRecord, rule: Rule, policy: Policy, self: SelfIdentity | undefined): string | undefined {
  if (record.rule !== ruleKey(rule)) return `the rule was changed since (it was ${record.ruleText})`;
  if (exemptionFor(policy, record.principal, self) === undefined) {
    return `${record.principal.arn ?? record.principal.invokedBy ?? 'its principal'} is no longer exempt`;
  }
  return undefined;
}

/** Honoured records with less than half their time left, written again to expire later. */
export function refreshedRecords(records: readonly ExemptionRecord[], now: Date): ExemptionRecord[] {
  const nowS = epochSeconds(now);
  const renewed = nowS + EXEMPTION_MEMORY_DAYS * DAY_S;
  return records
    .filter((record) => record.expiration - nowS < (EXEMPTION_MEMORY_DAYS * DAY_S) / 2)
    .map((record) => ({ ...record, expiration: renewed }));
}
