/**
 * What a member account of an organization holds for sg-sentry, defined once: the member role
 * (the function's way into the account), the forwarder role and, in each forwarded region, the
 * default-bus rule that sends security-group events to the central bus. Two renderers read this
 * definition: the StackSet templates (member-stacksets.ts) and the member Terraform module
 * (member-resources.ts), so the two can never disagree.
 */
import { MEMBER_ROLE_SESSION_NAME } from '../function/core/member-role';
import { ACCOUNT_PERMISSIONS, AccountPermission, AccountScope } from './account-permissions';
import { securityGroupChangeEventPattern } from './event-pattern';
import type { StatementBody } from './permissions';

/** The values the pieces are written over, as each renderer spells them. */
export interface MemberScope extends AccountScope {
  readonly centralEventBusArn: string;
  readonly centralFunctionRoleArn: string;
  readonly memberRoleName: string;
}

/** One `sts:AssumeRole` statement of a trust policy. */
export type TrustStatement = Required<Pick<StatementBody, 'principals' | 'condition'>>;

export interface RolePiece {
  readonly name: (s: MemberScope) => string;
  readonly description: string;
  readonly trust: (s: MemberScope) => TrustStatement;
  /** The statements of its one inline policy. */
  readonly permissions: Readonly<Record<string, AccountPermission<MemberScope>>>;
}

/** The inline policy of each member-side role. */
export const MEMBER_POLICY_NAME = 'sg-sentry';

export const forwarderName = (memberRoleName: string) => `${memberRoleName}-forwarder`;

export const MEMBER_ROLE: RolePiece = {
  name: (s) => s.memberRoleName,
  description: 'sg-sentry member role: the central sg-sentry function reads and revokes security-group rules of this account with it',
  trust: (s) => ({
    principals: [{ type: 'AWS', identifiers: [s.centralFunctionRoleArn] }],
    // The function always names its session so; no other session of its role gets in.
    condition: [{ test: 'StringEquals', variable: 'sts:RoleSessionName', values: [MEMBER_ROLE_SESSION_NAME] }],
  }),
  permissions: ACCOUNT_PERMISSIONS,
};

export const FORWARDER_PERMISSIONS = {
  ForwardToCentralBus: {
    requires: [],
    why: 'The forwarder rules put the matching events on the central bus, and on no other bus.',
    grant: (s) => ({ actions: ['events:PutEvents'], resources: [s.centralEventBusArn] }),
  },
} as const satisfies Record<string, AccountPermission<MemberScope>>;

export const FORWARDER_ROLE: RolePiece = {
  name: (s) => forwarderName(s.memberRoleName),
  description: "sg-sentry forwarder role: EventBridge sends this account's security-group events to the central sg-sentry bus with it",
  trust: (s) => ({
    principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
    condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [s.accountId] }],
  }),
  permissions: FORWARDER_PERMISSIONS,
};

/** The forwarder in each region: on the default bus, the central module's own pattern. */
export const FORWARDER_RULE = {
  name: (memberRoleName: string) => forwarderName(memberRoleName),
  description: 'sg-sentry: forwards security-group changes recorded by CloudTrail to the central sg-sentry bus',
  pattern: securityGroupChangeEventPattern,
  targetId: 'sg-sentry-central-bus',
  roleArn: (s: MemberScope) => `arn:${s.partition}:iam::${s.accountId}:role/${forwarderName(s.memberRoleName)}`,
} as const;

/** A statement as IAM's JSON spells it. */
export function iamStatementJson(sid: string, body: StatementBody): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: body.actions.length === 1 ? body.actions[0] : body.actions,
    Resource: body.resources.length === 1 ? body.resources[0] : body.resources,
    ...(body.condition !== undefined && body.condition.length > 0 ? { Condition: conditionJson(body.condition) } : {}),
  };
}

export function trustPolicyJson(trust: TrustStatement): Record<string, unknown> {
  const principal: Record<string, string | string[]> = {};
  for (const p of trust.principals) principal[p.type] = p.identifiers.length === 1 ? p.identifiers[0]! : p.identifiers;
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', Condition: conditionJson(trust.condition) }],
  };
}

function conditionJson(conditions: NonNullable<StatementBody['condition']>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of conditions) {
    const byTest = out[c.test] ?? {};
    byTest[c.variable] = c.values;
    out[c.test] = byTest;
  }
  return out;
}
