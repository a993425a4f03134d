import type { Principal, Rule } from './model';
import type { WatchedEventName } from './watched-events';

/** A rule from ModifySecurityGroupRules: its direction is not in the event and must be looked up. */
export type UndirectedRule = Omit<Rule, 'direction'> & { readonly ruleId: string; readonly groupId: string };

/** What one CloudTrail security-group call changed, normalized to rules. */
export interface SecurityGroupChange {
  readonly eventId: string;
  readonly eventName: WatchedEventName;
  readonly eventTime?: string;
  readonly account?: string;
  readonly region: string;
  readonly principal: Principal;
  readonly groupId?: string;
  readonly groupName?: string;
  readonly rules: readonly Rule[];
  readonly undirectedRules: readonly UndirectedRule[];
}

export interface SweepRequest {
  readonly eventId?: string;
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
}

export type ParsedEvent =
  | { readonly kind: 'change'; readonly change: SecurityGroupChange }
  | { readonly kind: 'sweep'; readonly sweep: SweepRequest }
  | { readonly kind: 'ignored'; readonly reason: string; readonly eventId?: string; readonly eventName?: string };
