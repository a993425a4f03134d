/**
 * The role the function assumes in a member account of an organization, as the function and the
 * module (which creates it and its trust policy) both spell it.
 */

/** The session name of every AssumeRole call; the member role's trust policy requires it. */
export const MEMBER_ROLE_SESSION_NAME = 'sg-sentry';

/** `arn:<partition>:iam::<account>:role/<name>` */
export function memberRoleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}
