import { plainText, portsLabel } from '../function/core/notification';
import type { Policy } from '../function/core/policy/policy';
import type { FindingReport } from '../function/core/report';

const VERDICT_LABEL: Readonly<Record<FindingReport['verdict'], string>> = {
  violation: 'VIOLATION',
  exempt: 'exempt   ',
  allowed: 'allowed  ',
};

/** What the Lambda would do with this finding under `policy` (its real mode, not check's). */
export function wouldAction(f: FindingReport, policy: Policy): string {
  if (f.verdict === 'allowed') return 'none';
  if (f.verdict === 'exempt') return 'none (exempt)';
  if (policy.mode === 'report') return 'notify only (mode report)';
  if (policy.action === 'restrict' && f.source_kind === 'cidr') {
    return `revoke, then allow from ${policy.document.restrict_to.join(', ')} (action restrict)`;
  }
  return 'revoke';
}

/** `VIOLATION  ingress tcp/22 from 0.0.0.0/0 (sgr-0abc)`; event text is escaped, never trusted. */
export function findingLine(f: FindingReport): string {
  const id = f.rule_id !== undefined ? ` (${plainText(f.rule_id, 40)})` : '';
  return `${VERDICT_LABEL[f.verdict]}  ${f.direction} ${portsLabel(f)} ${f.direction === 'egress' ? 'to' : 'from'} ${plainText(f.source, 80)}${id}`;
}

/** A plain text table, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
