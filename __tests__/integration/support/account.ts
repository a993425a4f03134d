/**
 * One test's own AWS account on the emulator. moto keeps state per account, and `sts:AssumeRole`
 * into any `arn:aws:iam::<id>:role/…` gives credentials that act in account `<id>`; so a test
 * that takes a fresh random id sees only the groups, topics and queues it created, and a sweep
 * over "the whole account" sweeps only that test's groups.
 */
import { randomInt } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { runBundle, type BundleRun, type RunOptions } from './bundle';

/** moto accepts any key pair for the account it starts with (123456789012). */
const BOOTSTRAP_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const DEFAULT_ACCOUNT = '123456789012';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** The configuration every SDK client constructor accepts; `account.client(X)` passes it. */
export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: Credentials;
}

export interface AccountOptions {
  readonly region?: string;
}

export type Direction = 'ingress' | 'egress';

/** One SNS notification as an SQS subscriber receives it (the enveloped, not raw, form). */
export interface ReceivedNotification {
  readonly subject: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  /** What the subscriber got as `Message`: with `MessageStructure: "json"`, the `default` text. */
  readonly message: string;
}

export interface Inbox {
  readonly topicArn: string;
  readonly queueUrl: string;
  /** Everything delivered so far; publishing is synchronous in moto, so nothing is still in flight. */
  drain(): Promise<ReceivedNotification[]>;
}

export async function freshAccount(endpoint: string, options: AccountOptions = {}): Promise<TestAccount> {
  let accountId = DEFAULT_ACCOUNT;
  while (accountId === DEFAULT_ACCOUNT) accountId = String(randomInt(100_000_000_000, 1_000_000_000_000));
  return accountOf(endpoint, accountId, options);
}

/** An account that already exists on the emulator (one that Organizations created, say). */
export async function accountOf(endpoint: string, accountId: string, options: AccountOptions = {}): Promise<TestAccount> {
  const region = options.region ?? 'us-east-1';
  const sts = new STSClient({ endpoint, region, credentials: BOOTSTRAP_CREDENTIALS });
  const answer = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/sg-sentry-integration`, RoleSessionName: 'integration' }),
  );
  const c = answer.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
    throw new Error(`sts:AssumeRole at ${endpoint} returned no credentials for account ${accountId}`);
  }
  return new TestAccount(
    { endpoint, region, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } },
    accountId,
  );
}

/** `ingress tcp 22-22 0.0.0.0/0`: one line per rule, to compare what EC2 holds in one assertion. */
export function ruleLine(rule: SecurityGroupRule): string {
  const direction = rule.IsEgress ? 'egress' : 'ingress';
  const ports = rule.IpProtocol === '-1' ? '' : ` ${rule.FromPort}-${rule.ToPort}`;
  const source = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId ?? '?';
  return `${direction} ${rule.IpProtocol}${ports} ${source}`;
}

export class TestAccount {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: Credentials;
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;

  constructor(
    readonly config: ClientConfig,
    readonly accountId: string,
  ) {
    this.endpoint = config.endpoint;
    this.region = config.region;
    this.credentials = config.credentials;
    this.ec2 = this.client(EC2Client);
    this.sns = this.client(SNSClient);
    this.sqs = this.client(SQSClient);
  }

  /** The same account in another region: the same credentials, the clients of that region. */
  inRegion(region: string): TestAccount {
    return new TestAccount({ ...this.config, region }, this.accountId);
  }

  /** Any SDK v3 client, acting in this account (e.g. `account.client(DynamoDBClient)`). */
  client<C>(Client: new (config: ClientConfig) => C): C {
    return new Client(this.config);
  }

  /** Every account starts with a default VPC (and its `default` group). */
  async defaultVpcId(): Promise<string> {
    const answer = await this.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const id = answer.Vpcs?.[0]?.VpcId;
    if (id === undefined) throw new Error(`account ${this.accountId} has no default VPC`);
    return id;
  }

  /** The `default` group of the default VPC, the one a request naming `groupName: "default"` changes. */
  async defaultGroupId(): Promise<string> {
    const vpcId = await this.defaultVpcId();
    const answer = await this.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    );
    const id = answer.SecurityGroups?.[0]?.GroupId;
    if (id === undefined) throw new Error(`account ${this.accountId} has no default group in ${vpcId}`);
    return id;
  }

  /** A new group in the default VPC (or `vpcId`); it starts with EC2's allow-all egress rule. */
  async createGroup(name: string, options: { vpcId?: string; tags?: Record<string, string> } = {}): Promise<string> {
    const vpcId = options.vpcId ?? (await this.defaultVpcId());
    const tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const answer = await this.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: `sg-sentry integration test: ${name}`,
        VpcId: vpcId,
        ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }] } : {}),
      }),
    );
    if (answer.GroupId === undefined) throw new Error(`CreateSecurityGroup ${name} returned no group id`);
    return answer.GroupId;
  }

  /**
   * Authorizes `permissions` and returns the rules that call created, read back from EC2 (the
   * emulator's Authorize answer lists only the last permission's rules).
   */
  async authorize(groupId: string, direction: Direction, permissions: IpPermission[]): Promise<SecurityGroupRule[]> {
    const before = new Set((await this.rules(groupId)).map((r) => r.SecurityGroupRuleId));
    const input = { GroupId: groupId, IpPermissions: permissions };
    if (direction === 'ingress') await this.ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
    else await this.ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
    return (await this.rules(groupId)).filter((r) => !before.has(r.SecurityGroupRuleId));
  }

  /** What EC2 holds for the group now, every page. */
  async rules(groupId: string): Promise<SecurityGroupRule[]> {
    const rules: SecurityGroupRule[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: 'group-id', Values: [groupId] }],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      rules.push(...(page.SecurityGroupRules ?? []));
      token = page.NextToken;
    } while (token);
    return rules;
  }

  /** The group's rules as sorted `ruleLine`s. */
  async ruleLines(groupId: string): Promise<string[]> {
    return (await this.rules(groupId)).map(ruleLine).sort();
  }

  /** An SNS topic with an SQS queue subscribed to it (enveloped, so subject and attributes arrive). */
  async inbox(name = 'sg-sentry-alerts'): Promise<Inbox> {
    const topic = await this.sns.send(new CreateTopicCommand({ Name: name }));
    const queue = await this.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
    const topicArn = topic.TopicArn;
    const queueUrl = queue.QueueUrl;
    if (topicArn === undefined || queueUrl === undefined) throw new Error(`could not create topic or queue ${name}`);
    const attributes = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await this.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.QueueArn }));
    const sqs = this.sqs;
    return {
      topicArn,
      queueUrl,
      async drain() {
        const received: ReceivedNotification[] = [];
        for (;;) {
          const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
          const messages = answer.Messages ?? [];
          if (messages.length === 0) return received;
          for (const m of messages) received.push(notificationOf(JSON.parse(m.Body ?? '{}')));
        }
      },
    };
  }

  /**
   * The environment the function gets in this account: the SDK's standard endpoint, region and
   * credential variables, and only the `SENTRY_*` variables given.
   */
  handlerEnv(sentry: Record<string, string> = {}): Record<string, string> {
    return {
      ...(process.env.PATH !== undefined ? { PATH: process.env.PATH } : {}),
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: this.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: this.credentials.sessionToken,
      ...sentry,
    };
  }

  /** Runs the built bundle's handler on `event` in a fresh node process, in this account. */
  /** The function runs in this account, as `arn:aws:lambda:<region>:<account>:function:sg-sentry`. */
  runHandler(event: unknown, sentry: Record<string, string> = {}, options: RunOptions = {}): Promise<BundleRun> {
    return runBundle(event, this.handlerEnv(sentry), {
      functionArn: `arn:aws:lambda:${this.region}:${this.accountId}:function:sg-sentry`,
      ...options,
    });
  }
}

function notificationOf(envelope: Record<string, any>): ReceivedNotification {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries<Record<string, string>>(envelope.MessageAttributes ?? {})) attributes[key] = value.Value ?? '';
  return { subject: envelope.Subject, attributes, message: String(envelope.Message ?? '') };
}
