/**
 * The fixture corpus as the benchmark uses it: every real and derived CloudTrail record that
 * parses to a security-group change, its rules, and which of them the default policy rejects.
 */
import { judgeRules } from '../function/core/judge/judge';
import type { Rule } from '../function/core/model/rule';
import { parseEvent } from '../function/core/event/parse-event';
import { loadPolicy } from '../function/core/policy/policy';
import { envelope, fixture, fixtureNames } from '../__tests__/helpers/fixtures';

export interface CorpusEvent {
  readonly name: string;
  readonly event: Record<string, any>;
  /** Rules as judged; ModifySecurityGroupRules rules are read as ingress, as the engine does for a gone rule. */
  readonly rules: readonly Rule[];
  readonly violations: number;
}

export function loadCorpus(): CorpusEvent[] {
  const policy = loadPolicy(undefined);
  const names = [...fixtureNames('cloudtrail'), ...fixtureNames('derived').map((n) => `derived/${n}`)];
  const events: CorpusEvent[] = [];
  for (const name of names) {
    const event = envelope(fixture(name));
    const parsed = parseEvent(event);
    if (parsed.kind !== 'change') continue;
    const rules: Rule[] = [...parsed.change.rules, ...parsed.change.undirectedRules.map((r) => ({ ...r, direction: 'ingress' as const }))];
    const violations = judgeRules(rules, policy).filter((j) => j.verdict === 'violation').length;
    events.push({ name, event, rules, violations });
  }
  return events;
}

/** Whether any rule of the event takes its sources from a prefix list: judging it reads the list. */
export function referencesPrefixList(event: CorpusEvent): boolean {
  return event.rules.some((rule) => rule.source.kind === 'prefix_list');
}
