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
