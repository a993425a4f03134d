/** What the state table remembers: see `judge/remembered-exemptions.ts`. */
import type { Principal } from './principal';

/** Where a rule is: its id is unique only within an account and region. */
export interface RuleLocation {
  readonly account: string;
  readonly region: string;
  readonly ruleId: string;
}

/**
 * A violation the event path judged exempt because of who made it, remembered so that the
 * sweep does not revoke what the event path let stand.
 */
export interface ExemptionRecord extends RuleLocation {
  readonly groupId?: string;
  /** The rule's content as it was judged (`ruleKey`): a rule edited in place since is not covered. */
  readonly rule: string;
  /** The same content as people read it (`tcp/22 from 0.0.0.0/0`). */
  readonly ruleText: string;
  /** Who made the change: the sweep asks the policy again whether they are still exempt. */
  readonly principal: Pick<Principal, 'arn' | 'issuerArn' | 'invokedBy'>;
  readonly reason: string;
  /** When the change was made (the CloudTrail event time; ISO 8601). */
  readonly time: string;
  readonly eventId?: string;
  /** Epoch seconds after which the table may delete the record (its TTL attribute). */
  readonly expiration: number;
}
