/** Who made a change, as CloudTrail tells it. */
export interface Principal {
  readonly arn?: string;
  readonly type?: string;
  readonly accountId?: string;
  readonly issuerArn?: string;
  readonly invokedBy?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/** Who sg-sentry itself is when it calls EC2: its role, and the session name Lambda gives it. */
export interface SelfIdentity {
  readonly roleArn: string;
  /** Lambda names the role's session after the function; unknown (outside Lambda): nothing is exempt as self. */
  readonly sessionName?: string;
}
