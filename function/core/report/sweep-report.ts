/**
 * What a sweep counts as it goes, and the report it makes of them: every rule is counted by
 * verdict, and every rule that is not allowed is kept as a finding and counted by action.
 */
import type { SweepRequest } from '../event/change';
import type { Finding, FindingAction, Judgement } from '../model/finding';
import type { Policy } from '../policy/policy';
import type { UnreadableRule } from '../model/unreadable-rule';
import { groupRestores } from './restore';
import {
  findingReport,
  worstVerdict,
  type ExceptionInForce,
  type FindingReport,
  type SweepCounts,
  type SweepRemainder,
  type SweepReport,
} from './report';
import { unreadableFindingReport } from './unreadable-finding';

type MutableCounts = { -readonly [K in keyof SweepCounts]: SweepCounts[K] };

const ACTION_COUNT: Readonly<Record<FindingAction, keyof SweepCounts | undefined>> = {
  revoked: 'revoked',
  restricted: 'restricted',
  'already-removed': 'already_removed',
  failed: 'failed',
  reported: 'reported',
  none: undefined,
};

export interface SweepProgress {
  readonly region: string;
  readonly pages: number;
  readonly rules: number;
  readonly groups: number;
  readonly violations: number;
}

export class SweepTally {
  private readonly counts: MutableCounts = {
    groups: 0,
    rules: 0,
    allowed: 0,
    violations: 0,
    exempt: 0,
    revoked: 0,
    restricted: 0,
    already_removed: 0,
    failed: 0,
    reported: 0,
    cannot_evaluate: 0,
  };
  private readonly groups = new Set<string>();
  private readonly findings: Finding[] = [];
  private readonly exceptions = new Map<string, ExceptionInForce>();
  private readonly unevaluated: FindingReport[] = [];

  /** The judgements of one group's rules. */
  judged(groupId: string, judgements: readonly Judgement[]): void {
    this.groups.add(groupId);
    this.counts.groups = this.groups.size;
    this.counts.rules += judgements.length;
    for (const j of judgements) {
      if (j.verdict === 'allowed') this.counts.allowed += 1;
      else if (j.verdict === 'violation') this.counts.violations += 1;
      else this.counts.exempt += 1;
    }
  }

  /**
   * Rules that could not be read: each is a violation that cannot be evaluated (or exempt, when
   * `exemptReason` says its whole group is), listed and counted, never dropped.
   */
  unreadable(rules: readonly UnreadableRule[], exemptReason: (groupId: string | undefined) => string | undefined): void {
    for (const rule of rules) {
      if (rule.groupId !== undefined) this.groups.add(rule.groupId);
      const exempt = exemptReason(rule.groupId);
      this.counts.rules += 1;
      if (exempt === undefined) {
        this.counts.violations += 1;
        this.counts.cannot_evaluate += 1;
      } else this.counts.exempt += 1;
      this.unevaluated.push(unreadableFindingReport(rule, exempt));
    }
    this.counts.groups = this.groups.size;
  }

  /** What was done; allowed rules are only counted (by `judged`), never listed. */
  acted(findings: readonly Finding[]): void {
    for (const finding of findings) {
      if (finding.verdict === 'allowed') continue;
      this.findings.push(finding);
      const key = ACTION_COUNT[finding.action];
      if (key !== undefined) this.counts[key] += 1;
    }
  }

  /** A group whose time-boxed exception exempted some of its rules. */
  exceptionInForce(exception: ExceptionInForce): void {
    this.exceptions.set(exception.group_id, exception);
  }

  progress(region: string, pages: number): SweepProgress {
    return { region, pages, rules: this.counts.rules, groups: this.groups.size, violations: this.counts.violations };
  }

  report(
    request: SweepRequest,
    region: string,
    policy: Policy,
    reading: { readonly pages: number; readonly notReached: readonly SweepRemainder[]; readonly errors: readonly string[] },
  ): SweepReport {
    const findings = [...this.findings.map(findingReport), ...this.unevaluated];
    return {
      status: 'processed',
      kind: 'sweep',
      event_id: request.eventId ?? null,
      event_name: 'Scheduled Event',
      event_time: request.time ?? null,
      account: request.account ?? null,
      region,
      mode: policy.mode,
      policy_action: policy.action,
      verdict: worstVerdict(findings),
      counts: { ...this.counts },
      pages: reading.pages,
      findings,
      incomplete: reading.notReached.length > 0,
      not_reached: [...reading.notReached],
      errors: [...reading.errors],
      exceptions_in_force: [...this.exceptions.values()].sort(
        (a, b) => Date.parse(a.until) - Date.parse(b.until) || a.group_id.localeCompare(b.group_id),
      ),
      restore: groupRestores(this.findings, { account: request.account ?? null, region }),
    };
  }
}
