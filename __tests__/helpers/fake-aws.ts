/**
 * A loopback stand-in for the EC2 and SNS query APIs, reached through the SDK's standard
 * `AWS_ENDPOINT_URL`. It lets a test drive the built bundle or CLI in a separate process and
 * still see every call it made.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RecordedCall {
  readonly action: string;
  readonly params: Record<string, string>;
  /** `performance.now()` of this process when the request arrived (headers read): the benchmark's clock. */
  readonly receivedAt: number;
}

export type Responder = (call: RecordedCall) => { status?: number; body: string } | undefined;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function ec2Ok(action: string, inner = '<return>true</return>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>${inner}</${action}Response>`;
}

export function ec2Error(code: string, message = code): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`;
}

/** One rule as DescribeSecurityGroupRules returns it (the fields sg-sentry reads). */
export interface FakeSecurityGroupRule {
  readonly securityGroupRuleId: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ruleItemXml(rule: FakeSecurityGroupRule): string {
  const field = (name: string, value: string | number | boolean | undefined) =>
    value === undefined ? '' : `<${name}>${xmlText(String(value))}</${name}>`;
  return (
    '<item>' +
    field('securityGroupRuleId', rule.securityGroupRuleId) +
    field('groupId', rule.groupId) +
    field('groupOwnerId', '123456789012') +
    field('isEgress', rule.isEgress) +
    field('ipProtocol', rule.ipProtocol) +
    field('fromPort', rule.fromPort ?? -1) +
    field('toPort', rule.toPort ?? -1) +
    field('cidrIpv4', rule.cidrIpv4) +
    field('cidrIpv6', rule.cidrIpv6) +
    field('prefixListId', rule.prefixListId) +
    (rule.referencedGroupId !== undefined
      ? `<referencedGroupInfo><groupId>${xmlText(rule.referencedGroupId)}</groupId><userId>123456789012</userId></referencedGroupInfo>`
      : '') +
    field('description', rule.description) +
    '</item>'
  );
}

/** A DescribeSecurityGroupRules page in EC2's XML, as the SDK parses it. */
export function describeSecurityGroupRulesXml(rules: readonly FakeSecurityGroupRule[], nextToken?: string): string {
  const token = nextToken !== undefined ? `<nextToken>${xmlText(nextToken)}</nextToken>` : '';
  return ec2Ok('DescribeSecurityGroupRules', `<securityGroupRuleSet>${rules.map(ruleItemXml).join('')}</securityGroupRuleSet>${token}`);
}

/**
 * Answers DescribeSecurityGroupRules with `pages` in order: page i+1 is asked for with
 * NextToken `page-<i+1>`. A `group-id` filter keeps only those groups' rules.
 */
export function securityGroupRulesResponder(pages: readonly (readonly FakeSecurityGroupRule[])[]): Responder {
  return (call) => {
    if (call.action !== 'DescribeSecurityGroupRules') return undefined;
    const token = call.params.NextToken;
    const index = token === undefined ? 0 : Number(token.replace('page-', '')) - 1;
    const filter = Object.entries(call.params)
      .filter(([key]) => /^Filter\.\d+\.Value\.\d+$/.test(key))
      .map(([, value]) => value);
    const page = (pages[index] ?? []).filter((r) => filter.length === 0 || filter.includes(r.groupId));
    return { body: describeSecurityGroupRulesXml(page, index + 1 < pages.length ? `page-${index + 2}` : undefined) };
  };
}

/**
 * DescribeSecurityGroups as EC2 answers it for groups that exist: each `GroupId.N` asked for,
 * no tags. The default policy reads a violating group's tags, so this is the fake's default.
 */
export function describeSecurityGroupsXml(groupIds: readonly string[], tags: Readonly<Record<string, string>> = {}): string {
  const tagSet = Object.entries(tags)
    .map(([key, value]) => `<item><key>${xmlText(key)}</key><value>${xmlText(value)}</value></item>`)
    .join('');
  const items = groupIds
    .map((id) => `<item><groupId>${xmlText(id)}</groupId><ownerId>123456789012</ownerId><tagSet>${tagSet}</tagSet></item>`)
    .join('');
  return ec2Ok('DescribeSecurityGroups', `<securityGroupInfo>${items}</securityGroupInfo>`);
}

function groupIdsOf(params: Readonly<Record<string, string>>): string[] {
  return Object.entries(params)
    .filter(([key]) => /^GroupId\.\d+$/.test(key))
    .map(([, value]) => value);
}

/** Answers sts:GetCallerIdentity for `account`, as STS's query API does. */
export function callerIdentityResponder(account: string): Responder {
  return (call) => {
    if (call.action !== 'GetCallerIdentity') return undefined;
    return {
      body:
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        `<Arn>arn:aws:iam::${account}:user/scanner</Arn><UserId>AIDATEST</UserId><Account>${account}</Account>` +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    };
  };
}

/** Answers DescribeSecurityGroups with a name for each group asked for: `name(groupId)`. */
export function securityGroupNamesResponder(name: (groupId: string) => string): Responder {
  return (call) => {
    if (call.action !== 'DescribeSecurityGroups') return undefined;
    const ids = Object.entries(call.params)
      .filter(([key]) => /^GroupId\.\d+$/.test(key))
      .map(([, value]) => value);
    const items = ids.map(
      (id) =>
        `<item><groupId>${xmlText(id)}</groupId><groupName>${xmlText(name(id))}</groupName><vpcId>vpc-1</vpcId><ownerId>123456789012</ownerId></item>`,
    );
    return { body: ec2Ok('DescribeSecurityGroups', `<securityGroupInfo>${items.join('')}</securityGroupInfo>`) };
  };
}

function snsPublishOk(): string {
  return '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>';
}

export class FakeAws {
  readonly calls: RecordedCall[] = [];
  /** The `Authorization` header of each request: which credentials signed it. */
  readonly authorizations: string[] = [];
  /** Each answer is sent this long after its request arrived: a round trip, as the benchmark injects it. */
  latencyMs = 0;
  private server: Server | undefined;
  private responders: Responder[] = [];

  reset(): void {
    this.calls.splice(0);
    this.authorizations.splice(0);
    this.responders = [];
  }

  respond(responder: Responder): this {
    this.responders.push(responder);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const receivedAt = performance.now();
      const body = await readBody(req);
      this.authorizations.push(String(req.headers.authorization ?? ''));
      // DynamoDB speaks JSON 1.0: the operation is in X-Amz-Target, the body is JSON.
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        const call = { action: target.replace(/^.*\./, ''), params: { body }, receivedAt };
        this.calls.push(call);
        const custom = this.responders.map((r) => r(call)).find((r) => r !== undefined);
        res.writeHead(custom?.status ?? 200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(custom?.body ?? '{}');
        return;
      }
      const params = Object.fromEntries(new URLSearchParams(body));
      const call = { action: params.Action ?? '', params, receivedAt };
      this.calls.push(call);
      const custom = this.responders.map((r) => r(call)).find((r) => r !== undefined);
      const reply =
        custom ??
        (call.action === 'Publish'
          ? { body: snsPublishOk() }
          : call.action === 'DescribeSecurityGroups'
            ? { body: describeSecurityGroupsXml(groupIdsOf(params)) }
            : { body: ec2Ok(call.action) });
      const answer = () => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/xml' });
        res.end(reply.body);
      };
      const wait = this.latencyMs - (performance.now() - receivedAt);
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Environment for a child process: the SDK's standard endpoint override and dummy credentials. */
  static env(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      ...extra,
    };
  }
}
