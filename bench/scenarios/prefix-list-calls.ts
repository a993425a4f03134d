/**
 * What a managed prefix list costs in API calls, counted at the loopback stub, through the
 * built bundle in a fresh process per event, default policy and a topic:
 * - a violating Authorize whose source is a customer-managed list holding 0.0.0.0/0 (the derived
 *   fixture of tcp/5432 from a list), and the same list holding only a private range (allowed);
 * - the real ModifyManagedPrefixList sample (it adds 71.131.0.0/16, "My IP Range"), with one
 *   rule on tcp/22 referencing the list (the entry offends: removed), the same with a state
 *   table (the exemptions the event path remembered are looked up), and with no referencing rule.
 * The stub answers as EC2 does for a list owned by the event's account; the issue sets no target
 * for these, so the calls are printed, in order.
 */
import { ec2Ok, FakeAws, type FakeSecurityGroupRule, securityGroupRulesResponder } from '../../__tests__/helpers/fake-aws';
import { envelope, fixture } from '../../__tests__/helpers/fixtures';
import { childEnv, eventFileFor, runBundleEvent, STATE_TABLE, serviceOf, TOPIC } from '../bundle-at-stub';
import type { BenchContext, Figure, Scenario, ScenarioResult } from '../scenario';

const AUTHORIZE_FIXTURE = 'derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole';
const MODIFY_FIXTURE = 'modify-managed-prefix-list-add-entry-console-abridged';

interface StubList {
  readonly prefixListId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly version: number;
  readonly entries: ReadonlyArray<{ readonly cidr: string; readonly description: string }>;
}

interface Case {
  readonly key: string;
  readonly label: string;
  readonly fixture: string;
  readonly list: StubList;
  /** The rules DescribeSecurityGroupRules lists (a list change looks for those referencing the list). */
  readonly rules: readonly FakeSecurityGroupRule[];
  /** More of the function's environment than the topic. */
  readonly env?: Readonly<Record<string, string>>;
}

const AUTHORIZE_LIST = { prefixListId: 'pl-0a1b2c3d4e5f60718', name: 'office', ownerId: '776520358045', version: 4 };
const MODIFY_LIST = { prefixListId: 'pl-0c3516b0e5630bf3e', name: 'my-ip-ranges', ownerId: '598274344262', version: 2 };
const SSH_FROM_MODIFY_LIST: FakeSecurityGroupRule = {
  securityGroupRuleId: 'sgr-0aa11bb22cc33dd44',
  groupId: 'sg-0e1f2a3b4c5d6e7f8',
  isEgress: false,
  ipProtocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  prefixListId: MODIFY_LIST.prefixListId,
};
const HTTPS_FROM_WORLD: FakeSecurityGroupRule = {
  securityGroupRuleId: 'sgr-0ee55ff66aa77bb88',
  groupId: 'sg-0e1f2a3b4c5d6e7f8',
  isEgress: false,
  ipProtocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  cidrIpv4: '0.0.0.0/0',
};

const CASES: readonly Case[] = [
  {
    key: 'authorizeWorldListCalls',
    label: 'violating Authorize, source a customer-managed list holding 0.0.0.0/0',
    fixture: AUTHORIZE_FIXTURE,
    list: {
      ...AUTHORIZE_LIST,
      entries: [
        { cidr: '10.0.0.0/8', description: 'office' },
        { cidr: '0.0.0.0/0', description: 'everyone' },
      ],
    },
    rules: [],
  },
  {
    key: 'authorizePrivateListCalls',
    label: 'allowed Authorize, source a customer-managed list holding only 10.0.0.0/8',
    fixture: AUTHORIZE_FIXTURE,
    list: { ...AUTHORIZE_LIST, entries: [{ cidr: '10.0.0.0/8', description: 'office' }] },
    rules: [],
  },
  {
    key: 'modifyReferencedCalls',
    label: 'real ModifyManagedPrefixList sample, list referenced on tcp/22 (entry removed)',
    fixture: MODIFY_FIXTURE,
    list: { ...MODIFY_LIST, entries: [{ cidr: '71.131.0.0/16', description: 'My IP Range' }] },
    rules: [SSH_FROM_MODIFY_LIST, HTTPS_FROM_WORLD],
  },
  {
    key: 'modifyReferencedStateTableCalls',
    label: 'real ModifyManagedPrefixList sample, list referenced on tcp/22, state table set',
    fixture: MODIFY_FIXTURE,
    list: { ...MODIFY_LIST, entries: [{ cidr: '71.131.0.0/16', description: 'My IP Range' }] },
    rules: [SSH_FROM_MODIFY_LIST, HTTPS_FROM_WORLD],
    env: { SENTRY_STATE_TABLE: STATE_TABLE },
  },
  {
    key: 'modifyUnreferencedCalls',
    label: 'real ModifyManagedPrefixList sample, list referenced by no rule',
    fixture: MODIFY_FIXTURE,
    list: { ...MODIFY_LIST, entries: [{ cidr: '71.131.0.0/16', description: 'My IP Range' }] },
    rules: [HTTPS_FROM_WORLD],
  },
];

function listXml(list: StubList): string {
  return (
    `<prefixListId>${list.prefixListId}</prefixListId><addressFamily>IPv4</addressFamily><state>modify-complete</state>` +
    `<prefixListArn>arn:aws:ec2:us-east-1:${list.ownerId}:prefix-list/${list.prefixListId}</prefixListArn>` +
    `<prefixListName>${list.name}</prefixListName><maxEntries>10</maxEntries><version>${list.version}</version><ownerId>${list.ownerId}</ownerId>`
  );
}

/** DescribeManagedPrefixLists, GetManagedPrefixListEntries and ModifyManagedPrefixList for one list, as EC2 answers them. */
function prefixListResponder(aws: FakeAws, list: StubList): void {
  aws.respond((call) => {
    switch (call.action) {
      case 'DescribeManagedPrefixLists':
        return { body: ec2Ok(call.action, `<prefixListSet><item>${listXml(list)}</item></prefixListSet>`) };
      case 'GetManagedPrefixListEntries': {
        const entries = list.entries.map((e) => `<item><cidr>${e.cidr}</cidr><description>${e.description}</description></item>`).join('');
        return { body: ec2Ok(call.action, `<entrySet>${entries}</entrySet>`) };
      }
      case 'ModifyManagedPrefixList':
        return { body: ec2Ok(call.action, `<prefixList>${listXml({ ...list, version: list.version + 1 })}</prefixList>`) };
      default:
        return undefined;
    }
  });
}

export const prefixListCalls: Scenario = {
  name: 'prefixListCalls',
  title: 'calls per prefix-list event (built bundle, fresh process each, loopback stub)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log(`prefix-list calls: ${CASES.length} cases through the built bundle`);
    const aws = new FakeAws();
    const endpoint = await aws.start();
    const counted: Array<{
      readonly key: string;
      readonly fixture: string;
      readonly calls: readonly string[];
      readonly actions: readonly string[];
    }> = [];
    try {
      for (const c of CASES) {
        aws.reset();
        prefixListResponder(aws, c.list);
        aws.respond(securityGroupRulesResponder([c.rules]));
        const env = childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC, ...c.env });
        const { actions } = await runBundleEvent(context, eventFileFor(context, 'prefix-list', envelope(fixture(c.fixture))), env);
        const calls = aws.calls.map((call) => `${call.action}${serviceOf(call) === 'dynamodb' ? ' (DynamoDB)' : ''}`);
        counted.push({ key: c.key, fixture: c.fixture, calls, actions });
      }
    } finally {
      await aws.stop();
    }
    const figures: Figure[] = CASES.map((c, i) => {
      const { calls, actions } = counted[i]!;
      const findings = actions.length === 0 ? 'no finding' : `findings: ${actions.join(', ')}`;
      return {
        key: c.key,
        label: `${c.label}: calls in order`,
        value: `${calls.length === 0 ? 'none' : calls.join(', ')} (${findings})`,
        unit: 'text',
      };
    });
    return { figures, details: { counted } };
  },
};
