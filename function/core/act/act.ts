/**
 * The one way a judgement becomes a finding, for the event path and the sweep alike: the
 * policy's action plans (pure), executes in enforce mode (the only EC2 writes), and reports.
 * Report mode changes nothing and says what it would do.
 */
import type { Finding, Judgement } from '../model/finding';
import type { PolicyAction, Policy } from '../policy/policy';
import type { Ec2Port } from '../ports';
import { plannedActionText, type ActOptions, type RemediationAction } from './action';
import { RESTRICT } from './restrict';
import { REVOKE } from './revoke';

export type { ActOptions } from './action';

export interface ActResult {
  readonly findings: Finding[];
  /** Errors a retry could fix; the caller surfaces them once everything else is done. */
  readonly retryable: string[];
}

type Act = (judgements: readonly Judgement[], policy: Policy, ec2: Ec2Port, options: ActOptions) => Promise<ActResult>;

/** Every policy action: an action added to the policy schema does not compile without its entry. */
const ACTIONS: Readonly<Record<PolicyAction, Act>> = {
  revoke: (...args) => actWith(REVOKE, ...args),
  restrict: (...args) => actWith(RESTRICT, ...args),
};

/** Acts on judgements per the policy's mode and action; never throws for a failed EC2 call. */
export async function act(judgements: readonly Judgement[], policy: Policy, ec2: Ec2Port, options: ActOptions = {}): Promise<ActResult> {
  return ACTIONS[policy.action](judgements, policy, ec2, options);
}

async function actWith<Plan, Outcome>(
  action: RemediationAction<Plan, Outcome>,
  judgements: readonly Judgement[],
  policy: Policy,
  ec2: Ec2Port,
  options: ActOptions,
): Promise<ActResult> {
  const violations = judgements.filter((j) => j.verdict === 'violation').map((j) => j.rule);
  const plan = action.plan(violations, policy, options);
  const execute = policy.mode === 'enforce' && violations.length > 0 && options.notAttempted === undefined;
  const outcome = execute ? await action.execute(plan, ec2) : undefined;
  const findings = judgements.map((judgement): Finding => {
    const base = { ...judgement, verdictReason: judgement.reason };
    if (judgement.verdict !== 'violation') return { ...base, action: 'none' };
    const planned = action.intent(plan, judgement.rule);
    if (policy.mode === 'report') {
      return { ...base, action: 'reported', reason: `would ${plannedActionText(planned)}: ${judgement.reason}`, planned };
    }
    if (outcome === undefined) {
      return { ...base, action: 'failed', error: options.notAttempted ?? 'no remediation was attempted', planned };
    }
    return { ...action.finding(judgement, plan, outcome), verdictReason: judgement.reason, planned };
  });
  return { findings, retryable: outcome === undefined ? [] : action.retryable(outcome) };
}

/** A rule that no longer existed when it was looked up: nothing left to do, whatever its verdict. */
export function alreadyRemoved(judgement: Judgement): Finding {
  return { ...judgement, action: 'already-removed', reason: `rule no longer exists; ${judgement.reason}`, verdictReason: judgement.reason };
}
