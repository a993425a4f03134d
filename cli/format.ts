import { plannedActionText } from '../function/core/act/action';
import type { Finding } from '../function/core/model/finding';
import type { PolicyMode } from '../function/core/policy/policy';
import type { FindingReport } from '../function/core/report/report';
import { findingRuleText } from '../function/core/report/rule-text';
import { plainText } from '../function/core/report/text';

const VERDICT_LABEL: Readonly<Record<FindingReport['verdict'], string>> = {
  violation: 'VIOLATION',
  exempt: 'exempt   ',
  allowed: 'allowed  ',
};

/**
 * What the Lambda would do with this finding: what the engine's action planned for it, under the
 * policy's own mode (check itself runs the engine in report mode, so nothing is changed).
 */
export function wouldAction(finding: Finding, mode: PolicyMode): string {
  if (finding.planned === undefined) return finding.verdict === 'exempt' ? 'none (exempt)' : 'none';
  if (mode === 'report') return 'notify only (mode report)';
  return plannedActionText(finding.planned);
}

/** `VIOLATION  ingress tcp/22 from 0.0.0.0/0 (sgr-0abc)`; event text is escaped, never trusted. */
export function findingLine(f: FindingReport): string {
  const id = f.rule_id !== undefined ? ` (${plainText(f.rule_id, 40)})` : '';
  return `${VERDICT_LABEL[f.verdict]}  ${f.direction} ${plainText(findingRuleText(f), 120)}${id}`;
}

/** A plain text table, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}
