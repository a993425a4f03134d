/**
 * What an event costs in API calls under three configurations, counted at the loopback stub,
 * through the built bundle in a fresh process per event (the prefix-list events are counted in
 * prefix-list-calls.ts):
 * - an all-allowed event of the corpus, default policy, with a topic, a state table and Security
 *   Hub configured (so that any SNS, DynamoDB or Security Hub call would show): no call at all;
 * - a violating Authorize with `exception_tag: null` and no `exclude_tags` (`SENTRY_POLICY`): no
 *   tag can exempt it, so no DescribeSecurityGroups, the Revoke alone, then its one Publish;
 * - a violating Authorize with the default policy and `SENTRY_STATE_TABLE`: one
 *   DescribeSecurityGroups, one Revoke, one Publish, and the notification's state-table writes,
 *   all after the Revoke.
 */
import { FakeAws, type RecordedCall } from '../../__tests__/helpers/fake-aws';
import { callsBy, childEnv, eventFileFor, runBundleEvent, STATE_TABLE, serviceOf, TOPIC } from '../bundle-at-stub';
import { type CorpusEvent, loadCorpus, referencesPrefixList } from '../corpus';
import type { BenchContext, Figure, Scenario, ScenarioResult } from '../scenario';
import { SecurityHubStub } from '../security-hub-stub';

const NO_EXCEPTION_TAG_POLICY = JSON.stringify({ version: 1, exception_tag: null });

interface EventCalls {
  readonly fixture: string;
  readonly ec2: readonly string[];
  readonly sns: readonly string[];
  readonly dynamodb: readonly string[];
  readonly securityHub: readonly string[];
  /** Every call in the order it reached the stub. */
  readonly order: readonly string[];
  readonly actions: readonly string[];
}

async function countCalls(
  context: BenchContext,
  aws: FakeAws,
  hub: SecurityHubStub,
  env: NodeJS.ProcessEnv,
  events: readonly CorpusEvent[],
): Promise<EventCalls[]> {
  const counted: EventCalls[] = [];
  for (const e of events) {
    aws.reset();
    hub.reset();
    const { actions } = await runBundleEvent(context, eventFileFor(context, 'calls-by-policy', e.event), env);
    const calls: readonly RecordedCall[] = [...aws.calls];
    counted.push({
      fixture: e.name,
      ec2: callsBy(calls, 'ec2'),
      sns: callsBy(calls, 'sns'),
      dynamodb: callsBy(calls, 'dynamodb'),
      securityHub: [...hub.imports.map(() => 'BatchImportFindings'), ...hub.others],
      order: [
        ...calls.map((c) => `${c.action}${serviceOf(c) === 'dynamodb' ? ' (DynamoDB)' : ''}`),
        ...hub.imports.map(() => 'BatchImportFindings'),
        ...hub.others,
      ],
      actions,
    });
  }
  return counted;
}

/** `1` when every event gives the same count, `1-2` when they differ. */
function range(events: readonly EventCalls[], count: (e: EventCalls) => number): string {
  const values = events.map(count);
  if (values.length === 0) return 'n/a';
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? String(min) : `${min}-${max}`;
}

const isRevoke = (action: string) => action.startsWith('RevokeSecurityGroup');
const isDescribeGroups = (action: string) => action === 'DescribeSecurityGroups';
const revoked = (e: EventCalls) => e.actions.filter((a) => a !== 'none').every((a) => a === 'revoked');

/** One line per event that missed its target: the fixture and its calls in order. */
function misses(label: string, events: readonly EventCalls[], asPromised: (e: EventCalls) => boolean): string[] {
  return events
    .filter((e) => !asPromised(e))
    .map((e) => `${label}: ${e.fixture} made ${e.order.length === 0 ? 'no call' : e.order.join(', ')}`);
}

export const callsByPolicy: Scenario = {
  name: 'callsByPolicy',
  title: 'calls per event by policy (built bundle, fresh process each, loopback stub)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const corpus = loadCorpus().filter((e) => !referencesPrefixList(e));
    const allowed = corpus.filter((e) => e.violations === 0);
    const authorize = corpus.filter((e) => e.violations > 0 && String(e.event.detail.eventName).startsWith('Authorize'));
    context.log(
      `calls by policy: ${allowed.length} all-allowed and ${authorize.length} violating Authorize corpus events, 3 configurations`,
    );

    const aws = new FakeAws();
    const hub = new SecurityHubStub();
    const [endpoint, hubEndpoint] = await Promise.all([aws.start(), hub.start()]);
    const everythingOn = {
      SENTRY_TOPIC_ARN: TOPIC,
      SENTRY_STATE_TABLE: STATE_TABLE,
      SENTRY_SECURITY_HUB: 'true',
      AWS_ENDPOINT_URL_SECURITYHUB: hubEndpoint,
    };
    let allowedCalls: EventCalls[];
    let noTagCalls: EventCalls[];
    let stateCalls: EventCalls[];
    try {
      allowedCalls = await countCalls(context, aws, hub, childEnv(endpoint, everythingOn), allowed);
      noTagCalls = await countCalls(
        context,
        aws,
        hub,
        childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC, SENTRY_POLICY: NO_EXCEPTION_TAG_POLICY }),
        authorize,
      );
      stateCalls = await countCalls(
        context,
        aws,
        hub,
        childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC, SENTRY_STATE_TABLE: STATE_TABLE }),
        authorize,
      );
    } finally {
      await Promise.all([aws.stop(), hub.stop()]);
    }

    const noCall = (e: EventCalls) => e.order.length === 0;
    const revokeAlone = (e: EventCalls) => e.ec2.length === 1 && isRevoke(e.ec2[0]!) && e.sns.length === 1 && revoked(e);
    // The group's tags are read once, before the revoke (none for a group named by name only);
    // the state table is written for the notification, after the revoke.
    const describeRevokePublishThenTable = (e: EventCalls) => {
      const reads = e.ec2.filter(isDescribeGroups).length;
      const revokeAt = e.order.findIndex(isRevoke);
      const firstTableCall = e.order.findIndex((c) => c.endsWith('(DynamoDB)'));
      return (
        reads <= 1 &&
        e.ec2.length === reads + 1 &&
        isRevoke(e.ec2.at(-1)!) &&
        e.sns.length === 1 &&
        e.dynamodb.length > 0 &&
        firstTableCall > revokeAt &&
        revoked(e)
      );
    };

    const total = (events: readonly EventCalls[], of: (e: EventCalls) => readonly string[]) => events.reduce((n, e) => n + of(e).length, 0);
    const figures: Figure[] = [
      {
        key: 'allAllowedCalls',
        label: `all-allowed event, default policy, topic, state table and Security Hub set: EC2 / SNS / DynamoDB / Security Hub calls, all ${allowedCalls.length} events`,
        value: `${total(allowedCalls, (e) => e.ec2)} / ${total(allowedCalls, (e) => e.sns)} / ${total(allowedCalls, (e) => e.dynamodb)} / ${total(allowedCalls, (e) => e.securityHub)}`,
        unit: 'text',
        target: { text: '0 calls', met: allowedCalls.every(noCall) },
      },
      {
        key: 'noExceptionTagAuthorizeCalls',
        label: `violating Authorize, exception_tag null, no exclude_tags: Revoke / Describe / Publish calls (${noTagCalls.length} events)`,
        value: `${range(noTagCalls, (e) => e.ec2.filter(isRevoke).length)} / ${range(noTagCalls, (e) => e.ec2.filter((c) => !isRevoke(c)).length)} / ${range(noTagCalls, (e) => e.sns.length)}`,
        unit: 'text',
        target: { text: '1 Revoke, 0 Describe (+ 1 Publish)', met: noTagCalls.every(revokeAlone) },
      },
      {
        key: 'stateTableAuthorizeCalls',
        label: `violating Authorize, default policy, state table set: Describe + Revoke / Publish / DynamoDB calls (${stateCalls.length} events)`,
        value: `${range(stateCalls, (e) => e.ec2.filter(isDescribeGroups).length)} + ${range(stateCalls, (e) => e.ec2.filter(isRevoke).length)} / ${range(stateCalls, (e) => e.sns.length)} / ${range(stateCalls, (e) => e.dynamodb.length)}`,
        unit: 'text',
        target: {
          text: '<= 1 Describe + 1 Revoke / 1 Publish, the table written after the Revoke',
          met: stateCalls.every(describeRevokePublishThenTable),
        },
      },
      {
        key: 'stateTableAuthorizeOrder',
        label: 'violating Authorize, default policy, state table set: calls in order',
        value: [...new Set(stateCalls.map((e) => e.order.join(', ')))].join(' | '),
        unit: 'text',
      },
    ];
    return {
      figures,
      details: { allAllowed: allowedCalls, noExceptionTag: noTagCalls, stateTable: stateCalls },
      notes: [
        ...misses('all-allowed, default policy', allowedCalls, noCall),
        ...misses('exception_tag null', noTagCalls, revokeAlone),
        ...misses('default policy with state table', stateCalls, describeRevokePublishThenTable),
      ],
    };
  },
};
