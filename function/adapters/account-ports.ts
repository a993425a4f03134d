/**
 * The ports of the core for one account and region. The function's own account (the one in
 * `context.invokedFunctionArn`) is served with its own credentials; another account with the
 * member role's credentials when `SENTRY_MEMBER_ROLE_NAME` is set, and not at all otherwise.
 */
import { memberRoleArn } from '../core/member-role';
import type { Ec2Port, SecurityHubPort, Target, TargetPorts } from '../core/ports';
import { cachedCredentials, type CredentialSource } from './member-credentials';

export interface AccountPortsOptions {
  /** The member role's name; unset: other accounts cannot be reached. */
  readonly memberRoleName?: string;
  /** EC2 in a region, with the function's own credentials when none are given. */
  readonly ec2: (region: string, credentials?: CredentialSource) => Ec2Port;
  /** Security Hub in a region, with the same credentials as EC2 there; absent: Security Hub is off. */
  readonly securityHub?: (region: string, credentials?: CredentialSource) => SecurityHubPort;
  /** One AssumeRole of a role (uncached: this class keeps one cache per account). */
  readonly assumeRole: (roleArn: string) => CredentialSource;
  readonly now: () => Date;
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
const FUNCTION_ARN = /^arn:([a-z-]+):lambda:[a-z0-9-]+:(\d{12}):function:/;

export class AccountPorts {
  private own: { readonly account: string; readonly partition: string } | undefined;
  private readonly ports = new Map<string, TargetPorts>();
  private readonly credentials = new Map<string, CredentialSource>();

  constructor(private readonly options: AccountPortsOptions) {}

  /** Learns the function's own account and partition from the invocation's function ARN. */
  identify(invokedFunctionArn: string | undefined): void {
    const match = invokedFunctionArn === undefined ? null : FUNCTION_ARN.exec(invokedFunctionArn);
    if (match) this.own = { partition: match[1]!, account: match[2]! };
  }

  /**
   * Ports for the target. Until the own account is known (a caller without a Lambda context),
   * every account is served as the own one: there are no other credentials to use.
   */
  portsFor(target: Target): TargetPorts | undefined {
    const own = this.own;
    const isOwn = target.account === undefined || own === undefined || target.account === own.account;
    if (isOwn) return this.cached(`own/${target.region}`, () => this.create(target.region));
    const roleName = this.options.memberRoleName;
    if (roleName === undefined) return undefined;
    const account = target.account!;
    return this.cached(`${account}/${target.region}`, () =>
      this.create(target.region, this.credentialsOf(own.partition, account, roleName)),
    );
  }

  /** Every port of one account and region, on the same credentials (the member role's, for another account). */
  private create(region: string, credentials?: CredentialSource): TargetPorts {
    const securityHub = this.options.securityHub;
    return {
      ec2: this.options.ec2(region, credentials),
      ...(securityHub !== undefined ? { securityHub: securityHub(region, credentials) } : {}),
    };
  }

  private credentialsOf(partition: string, account: string, roleName: string): CredentialSource {
    let source = this.credentials.get(account);
    if (source === undefined) {
      source = cachedCredentials(this.options.assumeRole(memberRoleArn(partition, account, roleName)), this.options.now);
      this.credentials.set(account, source);
    }
    return source;
  }

  private cached(key: string, create: () => TargetPorts): TargetPorts {
    let ports = this.ports.get(key);
    if (ports === undefined) {
      ports = create();
      this.ports.set(key, ports);
    }
    return ports;
  }
}
