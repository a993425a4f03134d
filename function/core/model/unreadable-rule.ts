import type { Direction } from './rule';

/**
 * A rule EC2 lists that sg-sentry cannot read into a `Rule`: a protocol or source it does not
 * know (EC2 may add kinds), a CIDR that does not parse, no group. It cannot be judged, so it is
 * reported as a violation "cannot be evaluated" and counted, never dropped; it is not revoked,
 * since nothing says what it opens.
 */
export interface UnreadableRule {
  readonly groupId?: string;
  readonly ruleId?: string;
  /** As EC2 said (`IsEgress`); ingress when it did not say. */
  readonly direction: Direction;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** The source as EC2 wrote it (`CidrIpv4 300.0.0.0/8`), or `unknown source`. */
  readonly source: string;
  readonly description?: string;
  /** Why it could not be read. */
  readonly problem: string;
}
