/**
 * One name per rule, the same wherever a finding leaves sg-sentry (Security Hub's finding `Id`,
 * SARIF's fingerprint): `sg-sentry/<account>/<region>/<group id>/<direction>/<protocol>/<ports>/<source>`.
 * It names the rule's content, not an event or an `sgr-` id, so a repeat of the same opening
 * updates the finding the first one created instead of adding another.
 */
import { canonicalProtocol, hasPorts, isIcmp, openPortRange } from '../model/protocol';
import type { FindingReport } from './report';

type RuleOfFinding = Pick<FindingReport, 'direction' | 'protocol' | 'from_port' | 'to_port' | 'source'>;

/**
 * `22`, `1024-65535`; for icmp `8:0` (type and code) or `all`; `all` for a protocol without
 * ports. An event and DescribeSecurityGroupRules spell "no ports" differently (absent, or -1):
 * both give the same segment, so the event path and the sweep name a rule alike.
 */
function portsSegment(protocol: string, from: number | null, to: number | null): string {
  if (hasPorts(protocol)) {
    const [start, end] = openPortRange(from, to);
    return start === end ? `${start}` : `${start}-${end}`;
  }
  if (isIcmp(protocol)) {
    if (from === null || from === -1) return 'all';
    return to === null || to === -1 ? `${from}` : `${from}:${to}`;
  }
  return 'all';
}

export interface FindingPlace {
  /** The account the rule lives in; `unknown` when the record did not say. */
  readonly account: string | null;
  readonly region: string;
  readonly groupId: string | null;
}

export function findingId(place: FindingPlace, finding: RuleOfFinding): string {
  const protocol = canonicalProtocol(finding.protocol) ?? finding.protocol;
  return [
    'sg-sentry',
    place.account ?? 'unknown',
    place.region,
    place.groupId ?? 'unknown-group',
    finding.direction,
    protocol,
    portsSegment(protocol, finding.from_port, finding.to_port),
    finding.source,
  ].join('/');
}
