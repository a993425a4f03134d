/**
 * What every policy `action` (revoke, restrict) is made of: a pure plan, the one step that
 * writes to EC2, and the finding it reports for each violation. `act.ts` runs them the same way
 * for the event path and the sweep; report mode stops after the plan.
 */
import type { Finding, Judgement, PlannedAction } from '../model/finding';
import type { Principal } from '../model/principal';
import type { Rule } from '../model/rule';
import type { Policy } from '../policy/policy';
import type { Ec2Port } from '../ports';

export interface ActOptions {
  /** Who made the change, named in restrict descriptions; absent for the sweep. */
  readonly principal?: Principal;
  /** The time written into restrict descriptions (the engine's `now()`); absent = no time. */
  readonly now?: Date;
  /**
   * Whether a violation may be revoked by its rule id. Only for rules just read from EC2
   * (DescribeSecurityGroupRules): an id in an event is a claim, and the rule behind it may have
   * been edited in place since. Absent: every violation is revoked by its content.
   */
  readonly revokeByRuleId?: (rule: Rule) => boolean;
  /**
   * Why EC2 must not be changed now although the mode is enforce (the sweep ran out of time);
   * every violation then fails with this as its error and is left for the next run.
   */
  readonly notAttempted?: string;
}

/** A finding as an action reports it; `act` adds what is common to every action. */
export type ActionFinding = Omit<Finding, 'planned' | 'verdictReason'>;

export interface RemediationAction<Plan, Outcome> {
  /** Decides what to do with each violation. Pure: nothing is called. */
  plan(violations: readonly Rule[], policy: Policy, options: ActOptions): Plan;
  /** What the plan means for one violation, said before anything is done (report mode, the CLI). */
  intent(plan: Plan, violation: Rule): PlannedAction;
  /** Carries the plan out: the only EC2 writes. Never throws: every violation ends with an outcome. */
  execute(plan: Plan, ec2: Ec2Port): Promise<Outcome>;
  /** The finding for one violation after `execute`. */
  finding(judgement: Judgement, plan: Plan, outcome: Outcome): ActionFinding;
  /** The errors in the outcome that a retry may fix. */
  retryable(outcome: Outcome): string[];
}

/** `revoke`, `revoke (not restricted: …)`, `restrict to 10.0.0.0/8`: the words for an intent. */
export function plannedActionText(planned: PlannedAction): string {
  switch (planned.kind) {
    case 'revoke':
      return planned.notRestricted === undefined ? 'revoke' : `revoke (not restricted: ${planned.notRestricted})`;
    case 'restrict':
      return `restrict to ${planned.to.join(', ')}`;
  }
}
