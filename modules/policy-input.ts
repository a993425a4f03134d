/**
 * The `policy` input: the function's policy JSON as a string, plain (a cdktf app) or a Terraform
 * token (`var.policy`). The module reads only `mode`, `action`, `exception_tag` and whether
 * `exception_approvers` is empty from it, to grant the EC2 permissions they need, and passes it
 * to the function minified.
 */
import { Fn, Op, Token } from 'cdktf';
import { DEFAULT_POLICY_DOCUMENT } from '../function/core/policy/default-policy';
import { type Condition, isToken } from './terraform-values';

/**
 * Lambda allows 4 KB for all environment variables together; the policy (minified) may use
 * 3 KB of it, which leaves 1 KB for the topic ARN, role ARN and Slack parameter name.
 */
export const POLICY_MAX_BYTES = 3072;

/** The policy keys the IAM role depends on take the embedded default's values when omitted. */
const POLICY_DEFAULT_MODE = DEFAULT_POLICY_DOCUMENT.mode;
const POLICY_DEFAULT_ACTION = DEFAULT_POLICY_DOCUMENT.action;

/** `mode` and `action` of the policy, the embedded default's for omitted keys or no policy. */
export function policyModeAndAction(policy: string | null): { mode: string; action: string } {
  if (policy === null || policy === '') return { mode: POLICY_DEFAULT_MODE, action: POLICY_DEFAULT_ACTION };
  if (isToken(policy)) {
    const key = (name: string, fallback: string) => Token.asString(Fn.try([Fn.lookup(Fn.jsondecode(policy), name, fallback), fallback]));
    return { mode: key('mode', POLICY_DEFAULT_MODE), action: key('action', POLICY_DEFAULT_ACTION) };
  }
  const parsed = JSON.parse(policy) as { mode?: string; action?: string };
  return { mode: parsed.mode ?? POLICY_DEFAULT_MODE, action: parsed.action ?? POLICY_DEFAULT_ACTION };
}

const POLICY_DEFAULT_EXCEPTION_TAG = DEFAULT_POLICY_DOCUMENT.exception_tag;

/**
 * Whether the function removes unapproved exception tags (an exception tag is on and
 * `exception_approvers` names someone), and the tag's key ('' when there is none).
 */
export function policyExceptionRemoval(policy: string | null): { exceptionTag: string; removesUnapprovedExceptions: Condition } {
  if (policy === null || policy === '') {
    return {
      exceptionTag: POLICY_DEFAULT_EXCEPTION_TAG ?? '',
      removesUnapprovedExceptions: DEFAULT_POLICY_DOCUMENT.exception_approvers.length > 0,
    };
  }
  if (isToken(policy)) {
    const document = Fn.jsondecode(policy);
    // An absent key takes the default; an explicit null turns exceptions off (lookup gives null, coalesce then '').
    const tag = Token.asString(Fn.try([Fn.coalesce([Fn.lookup(document, 'exception_tag', POLICY_DEFAULT_EXCEPTION_TAG ?? ''), '']), '']));
    const approvers = Fn.lengthOf(Fn.try([Fn.lookup(document, 'exception_approvers', []), []]));
    // Compared with 1, not 0 or '': cdktf drops falsy literals from an operator expression.
    return { exceptionTag: tag, removesUnapprovedExceptions: Op.and(Op.gte(Fn.lengthOf(Fn.compact([tag])), 1), Op.gte(approvers, 1)) };
  }
  const parsed = JSON.parse(policy) as { exception_tag?: string | null; exception_approvers?: unknown[] };
  const tag = parsed.exception_tag === undefined ? POLICY_DEFAULT_EXCEPTION_TAG : parsed.exception_tag;
  return { exceptionTag: tag ?? '', removesUnapprovedExceptions: tag !== null && (parsed.exception_approvers ?? []).length > 0 };
}

/**
 * The policy's `inspect_prefix_lists` as `"true"` or `"false"` (a Terraform expression for a
 * token), the embedded default's when omitted: whether the role may read prefix lists.
 */
export function policyInspectsPrefixLists(policy: string | null): string {
  const fallback = String(DEFAULT_POLICY_DOCUMENT.inspect_prefix_lists);
  if (policy === null || policy === '') return fallback;
  if (isToken(policy)) {
    return Token.asString(
      Fn.try([
        Fn.tostring(Fn.lookup(Fn.jsondecode(policy), 'inspect_prefix_lists', DEFAULT_POLICY_DOCUMENT.inspect_prefix_lists)),
        fallback,
      ]),
    );
  }
  const parsed = JSON.parse(policy) as { inspect_prefix_lists?: boolean };
  return String(parsed.inspect_prefix_lists ?? DEFAULT_POLICY_DOCUMENT.inspect_prefix_lists);
}

/** The policy without insignificant whitespace, so a readable heredoc costs no env bytes. */
export function minifiedPolicy(policy: string | null): string {
  if (policy === null) return '';
  return isToken(policy) ? Fn.jsonencode(Fn.jsondecode(policy)) : JSON.stringify(JSON.parse(policy));
}
