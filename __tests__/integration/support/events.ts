/**
 * Real CloudTrail records replayed into a test account: the call the record describes is made
 * against the emulator, and the record is rewritten to name what that call created (account,
 * region, group id, rule ids), as CloudTrail would have written it for this account. Everything
 * else in the record (who, from where, with what client) stays as the real sample has it.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifySecurityGroupRulesCommand,
  type IpPermission,
  type SecurityGroupRule,
  type SecurityGroupRuleRequest,
} from '@aws-sdk/client-ec2';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { clone, envelope } from '../../helpers/fixtures';
import type { Direction, TestAccount } from './account';

type Json = Record<string, any>;

/**
 * Each key replaced by its value wherever it stands as a whole token inside a string of the
 * record (not next to a letter or digit): `776520358045` in an ARN, `sg-0632…` in a field. Some
 * public samples anonymize the account as `000000000`, which must not rewrite the zeros of ids.
 */
export function rewriteStrings<T>(value: T, replacements: Readonly<Record<string, string>>): T {
  const pairs = Object.entries(replacements)
    .filter(([from, to]) => from !== '' && from !== to)
    .map(([from, to]) => [new RegExp(`(?<![0-9A-Za-z])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`, 'g'), to] as const);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return pairs.reduce((s, [from, to]) => s.replace(from, () => to), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}

function bareRecord(real: Json): Json {
  return 'detail' in real ? real.detail : real;
}

/**
 * The record (bare, or in its EventBridge envelope) moved into `account`: its recipient account
 * id and region replaced everywhere, then enveloped as EventBridge delivers it.
 */
function intoAccount(real: Json, account: TestAccount, replacements: Readonly<Record<string, string>>): { record: Json; event: Json } {
  const bare = bareRecord(real);
  const recipient = bare?.recipientAccountId;
  const region = bare?.awsRegion;
  if (typeof recipient !== 'string' || typeof region !== 'string') throw new Error('the record has no recipientAccountId/awsRegion');
  const rewritten = rewriteStrings(clone(real), { ...replacements, [recipient]: account.accountId, [region]: account.region });
  const event = 'detail' in rewritten ? rewritten : envelope(rewritten);
  return { record: event.detail, event };
}

function items(list: unknown): Json[] {
  const inner = (list as Json | undefined)?.items;
  return Array.isArray(inner) ? inner : [];
}

function described(text: Json, key: string, value: unknown): Json {
  return { [key]: value, ...(typeof text.description === 'string' ? { Description: text.description } : {}) };
}

function ports(item: Json): Pick<IpPermission, 'FromPort' | 'ToPort'> {
  return {
    ...(item.fromPort !== undefined ? { FromPort: Number(item.fromPort) } : {}),
    ...(item.toPort !== undefined ? { ToPort: Number(item.toPort) } : {}),
  };
}

/** The Authorize request of a CloudTrail record as the SDK's IpPermissions (list or legacy top-level form). */
export function ipPermissionsOf(requestParameters: Json): IpPermission[] {
  const permissions = items(requestParameters.ipPermissions);
  if (permissions.length > 0) {
    return permissions.map((p) => ({
      IpProtocol: String(p.ipProtocol),
      ...ports(p),
      IpRanges: items(p.ipRanges).map((r) => described(r, 'CidrIp', r.cidrIp)),
      Ipv6Ranges: items(p.ipv6Ranges).map((r) => described(r, 'CidrIpv6', r.cidrIpv6)),
      PrefixListIds: items(p.prefixListIds).map((r) => described(r, 'PrefixListId', r.prefixListId)),
      UserIdGroupPairs: items(p.groups).map((g) => ({ ...described(g, 'GroupId', g.groupId), ...(g.userId ? { UserId: g.userId } : {}) })),
    }));
  }
  if (typeof requestParameters.cidrIp === 'string') {
    return [
      { IpProtocol: String(requestParameters.ipProtocol), ...ports(requestParameters), IpRanges: [{ CidrIp: requestParameters.cidrIp }] },
    ];
  }
  throw new Error('the record has neither ipPermissions items nor the legacy top-level cidrIp form');
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const protocolName = (p: unknown) => PROTOCOL_NAMES[String(p)] ?? String(p).toLowerCase();

/** A `securityGroupRuleSet` item and a described rule say the same rule. */
function sameRule(item: Json, rule: SecurityGroupRule): boolean {
  return (
    Boolean(item.isEgress) === Boolean(rule.IsEgress) &&
    protocolName(item.ipProtocol) === protocolName(rule.IpProtocol) &&
    (protocolName(item.ipProtocol) === '-1' || (Number(item.fromPort) === rule.FromPort && Number(item.toPort) === rule.ToPort)) &&
    item.cidrIpv4 === rule.CidrIpv4 &&
    item.cidrIpv6 === rule.CidrIpv6 &&
    item.prefixListId === rule.PrefixListId &&
    item.referencedGroupInfo?.groupId === rule.ReferencedGroupInfo?.GroupId
  );
}

export interface Replay {
  /** The CloudTrail record as it would have been written for this account (bare, not enveloped). */
  readonly record: Json;
  /** The EventBridge envelope around it, as the function receives it. */
  readonly event: Json;
  /** The rules the replayed call created, read back from EC2. */
  readonly created: SecurityGroupRule[];
}

/**
 * Makes the Authorize call of a real record in `account` against `groupId`, and returns the record
 * naming that group and, where the record has a `securityGroupRuleSet`, the ids EC2 gave the
 * rules (matched by content). A record in the default-VPC form names its group only by
 * `groupName` and keeps that name: pass the id of the group so named (`account.defaultGroupId()`).
 * `replacements` maps other ids of the record (e.g. a referenced group) to ones that exist.
 */
export async function replayAuthorize(
  account: TestAccount,
  real: Json,
  groupId: string,
  replacements: Readonly<Record<string, string>> = {},
): Promise<Replay> {
  const bare = bareRecord(real);
  const direction: Direction = bare.eventName === 'AuthorizeSecurityGroupEgress' ? 'egress' : 'ingress';
  const realGroupId = bare.requestParameters?.groupId;
  if (typeof realGroupId !== 'string' && typeof bare.requestParameters?.groupName !== 'string') {
    throw new Error('replayAuthorize needs a record whose request names its group (groupId or groupName)');
  }
  const { record, event } = intoAccount(
    real,
    account,
    typeof realGroupId === 'string' ? { ...replacements, [realGroupId]: groupId } : replacements,
  );
  const created = await account.authorize(groupId, direction, ipPermissionsOf(record.requestParameters));
  for (const item of items(record.responseElements?.securityGroupRuleSet)) {
    const rule = created.find((r) => sameRule(item, r));
    if (rule?.SecurityGroupRuleId === undefined) throw new Error(`no rule created for the record's item ${JSON.stringify(item)}`);
    const realRuleId = item.securityGroupRuleId;
    Object.assign(item, rewriteStrings(item, { [realRuleId]: rule.SecurityGroupRuleId }));
  }
  return { record, event, created };
}

function modifyUpdates(request: Json): Json[] {
  const updates = request.SecurityGroupRule;
  return Array.isArray(updates) ? updates : updates !== undefined ? [updates] : [];
}

/**
 * Makes the ModifySecurityGroupRules call of a real (or derived) record in `account`. The rules
 * it modifies must exist: `ruleIds` maps each rule id of the record to the id of a rule the test
 * created in `groupId`.
 */
export async function replayModify(
  account: TestAccount,
  real: Json,
  groupId: string,
  ruleIds: Readonly<Record<string, string>>,
): Promise<Replay> {
  const realRequest = bareRecord(real).requestParameters?.ModifySecurityGroupRulesRequest;
  if (typeof realRequest?.GroupId !== 'string') throw new Error('replayModify needs a ModifySecurityGroupRulesRequest with a GroupId');
  const { record, event } = intoAccount(real, account, { ...ruleIds, [realRequest.GroupId]: groupId });
  const updates = modifyUpdates(record.requestParameters.ModifySecurityGroupRulesRequest);
  const SecurityGroupRules = updates.map((u) => {
    const { FromPort, ToPort, ...rest } = u.SecurityGroupRule ?? {};
    const rule: SecurityGroupRuleRequest = {
      ...rest,
      ...(FromPort !== undefined ? { FromPort: Number(FromPort) } : {}),
      ...(ToPort !== undefined ? { ToPort: Number(ToPort) } : {}),
    };
    return { SecurityGroupRuleId: String(u.SecurityGroupRuleId), SecurityGroupRule: rule };
  });
  await account.ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: groupId, SecurityGroupRules }));
  const modified = new Set(SecurityGroupRules.map((r) => r.SecurityGroupRuleId));
  const created = (await account.rules(groupId)).filter((r) => modified.has(r.SecurityGroupRuleId ?? ''));
  return { record, event, created };
}

/**
 * A CreateTags or DeleteTags record replayed on one group: the call is made with the record's
 * tags (DeleteTags: each key, with its value when the record gives one), then the record is
 * rewritten to name the group, the account and the region.
 */
export async function replayTags(account: TestAccount, real: Json, groupId: string): Promise<{ record: Json; event: Json }> {
  const realGroup = items(bareRecord(real).requestParameters?.resourcesSet)[0]?.resourceId;
  if (typeof realGroup !== 'string') throw new Error('replayTags needs a record whose resourcesSet names a group');
  const { record, event } = intoAccount(real, account, { [realGroup]: groupId });
  const tags = items(record.requestParameters.tagSet).map((t) => ({
    Key: String(t.key),
    ...(t.value !== undefined ? { Value: String(t.value) } : {}),
  }));
  if (record.eventName === 'CreateTags') await account.ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: tags }));
  else if (record.eventName === 'DeleteTags') await account.ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: tags }));
  else throw new Error(`replayTags cannot replay ${String(record.eventName)}`);
  return { record, event };
}

/**
 * The event an EventBridge schedule rule delivers (the "Scheduled Event" shape of EventBridge's
 * documentation), for the account's region.
 */
export function scheduledEvent(account: TestAccount, time = new Date()): Json {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: account.accountId,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: account.region,
    resources: [`arn:aws:events:${account.region}:${account.accountId}:rule/sg-sentry-sweep`],
    detail: {},
  };
}

/**
 * The messages waiting in a queue, as Lambda's SQS event source mapping hands them to the
 * function: the event of a sweep-queue consumer.
 */
export async function sqsEventOf(account: TestAccount, queueUrl: string): Promise<{ Records: Json[] }> {
  const records: Json[] = [];
  for (;;) {
    const answer = await account.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return { Records: records };
    for (const m of messages) {
      records.push({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: {},
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${account.region}:${account.accountId}:${queueUrl.split('/').pop()}`,
        awsRegion: account.region,
      });
    }
  }
}
