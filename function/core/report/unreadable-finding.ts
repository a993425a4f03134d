/**
 * The report of a rule EC2 listed but sg-sentry could not read: a violation that "cannot be
 * evaluated", left in place (nothing says what it opens, so revoking it could remove what
 * someone needs), for a person to look at.
 */
import type { UnreadableRule } from '../model/unreadable-rule';
import type { FindingReport } from './report';

export function unreadableFindingReport(rule: UnreadableRule, exemptReason?: string): FindingReport {
  const why = `cannot be evaluated: ${rule.problem}`;
  return {
    ...(rule.ruleId !== undefined ? { rule_id: rule.ruleId } : {}),
    ...(rule.groupId !== undefined ? { group_id: rule.groupId } : {}),
    direction: rule.direction,
    protocol: rule.protocol,
    from_port: rule.fromPort ?? null,
    to_port: rule.toPort ?? null,
    source: rule.source,
    source_kind: 'unknown',
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    verdict: exemptReason === undefined ? 'violation' : 'exempt',
    action: 'none',
    reason: exemptReason === undefined ? `${why}; left in place: check it by hand` : `${exemptReason}; ${why}`,
  };
}
