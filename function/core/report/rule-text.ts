/**
 * The rule text of a finding in a report, through the same renderer as the engine's reasons
 * (`model/rule-text.ts`), so a rule reads the same in the reason, the email, Slack and the CLI.
 */
import type { RuleSource } from '../model/rule';
import { ruleText, ruleTextParts, type RuleTextParts } from '../model/rule-text';
import type { FindingReport } from './report';

type ReportedRule = Pick<FindingReport, 'direction' | 'protocol' | 'from_port' | 'to_port' | 'source' | 'source_kind'>;

function sourceOf(f: ReportedRule): RuleSource {
  switch (f.source_kind) {
    case 'cidr':
      return { kind: 'cidr', cidr: f.source, family: f.source.includes(':') ? 'ipv6' : 'ipv4' };
    case 'prefix_list':
      return { kind: 'prefix_list', prefixListId: f.source };
    default:
      return { kind: 'security_group', groupId: f.source };
  }
}

function ruleOf(f: ReportedRule) {
  return {
    direction: f.direction,
    protocol: f.protocol,
    fromPort: f.from_port ?? undefined,
    toPort: f.to_port ?? undefined,
    source: sourceOf(f),
  };
}

export function findingRuleText(f: ReportedRule): string {
  return ruleText(ruleOf(f));
}

export function findingRuleParts(f: ReportedRule): RuleTextParts {
  return ruleTextParts(ruleOf(f));
}
