/**
 * EC2 and SNS calls, counted at the loopback stub, for every violating event of the fixture
 * corpus through the built bundle in a fresh process each. The default policy promises one
 * DescribeSecurityGroups (the group's tags and name), one Revoke and one Publish for a violating
 * Authorize. Events whose rules take their sources from a prefix list also read the list: they
 * are counted in the prefix-list scenario (prefix-list-calls.ts), against a stub that has lists.
 */
import { ec2Ok, FakeAws } from '../../__tests__/helpers/fake-aws';
import { childEnv, eventFileFor, runBundleEvent, TOPIC } from '../bundle-at-stub';
import { loadCorpus, referencesPrefixList } from '../corpus';
import type { BenchContext, Scenario, ScenarioResult } from '../scenario';

/** A Modify names rules by id: answer its DescribeSecurityGroupRules with ssh from anywhere. */
function describeRulesResponder(aws: FakeAws): void {
  aws.respond((call) => {
    if (call.action !== 'DescribeSecurityGroupRules') return undefined;
    const ids = Object.entries(call.params)
      .filter(([k]) => k.startsWith('SecurityGroupRuleId.'))
      .map(([, v]) => v);
    const items = ids
      .map(
        (id) =>
          `<item><securityGroupRuleId>${id}</securityGroupRuleId><groupId>sg-0632fa4ee8a8468a4</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><cidrIpv4>0.0.0.0/0</cidrIpv4></item>`,
      )
      .join('');
    return { body: ec2Ok('DescribeSecurityGroupRules', `<securityGroupRuleSet>${items}</securityGroupRuleSet>`) };
  });
}

export const callsPerEvent: Scenario = {
  name: 'callsPerViolatingEvent',
  title: 'calls per violating event',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const events = loadCorpus().filter((e) => e.violations > 0 && !referencesPrefixList(e));
    context.log(`calls per violating event: ${events.length} corpus events through the built bundle`);
    const aws = new FakeAws();
    const endpoint = await aws.start();
    const env = childEnv(endpoint, { SENTRY_TOPIC_ARN: TOPIC });
    const perEvent: Array<{
      fixture: string;
      eventName: string;
      violations: number;
      ec2Actions: string[];
      snsCalls: number;
      allRevoked: boolean;
    }> = [];
    try {
      for (const e of events) {
        aws.reset();
        describeRulesResponder(aws);
        const { actions } = await runBundleEvent(context, eventFileFor(context, 'calls', e.event), env);
        const calls = aws.calls.map((c) => c.action);
        perEvent.push({
          fixture: e.name,
          eventName: e.event.detail.eventName as string,
          violations: e.violations,
          ec2Actions: calls.filter((c) => c !== 'Publish'),
          snsCalls: calls.filter((c) => c === 'Publish').length,
          allRevoked: actions.filter((a) => a !== 'none').every((a) => a === 'revoked'),
        });
      }
    } finally {
      await aws.stop();
    }
    const range = (list: typeof perEvent, count: (e: (typeof perEvent)[number]) => number) => {
      const values = list.map(count);
      if (values.length === 0) return 'n/a';
      const [min, max] = [Math.min(...values), Math.max(...values)];
      return min === max ? String(min) : `${min}-${max}`;
    };
    const authorize = perEvent.filter((e) => e.eventName.startsWith('Authorize'));
    const modify = perEvent.filter((e) => e.eventName === 'ModifySecurityGroupRules');
    const authorizeCalls = `${range(authorize, (e) => e.ec2Actions.length)} / ${range(authorize, (e) => e.snsCalls)}`;
    // The one read before the revoke is the group's tags and name (none by group name, which names no group id).
    const readsThenRevokes = (e: (typeof perEvent)[number], first: readonly string[]) => {
      const rest = e.ec2Actions.slice(first.length);
      const reads = rest[0] === 'DescribeSecurityGroups' ? 1 : 0;
      return (
        first.every((a, i) => e.ec2Actions[i] === a) && rest.length === reads + 1 && rest.at(-1)!.startsWith('Revoke') && e.snsCalls === 1
      );
    };
    const authorizeAsPromised = authorize.every((e) => readsThenRevokes(e, []));
    const modifyAsPromised = modify.every((e) => readsThenRevokes(e, ['DescribeSecurityGroupRules']));
    return {
      figures: [
        {
          key: 'authorizeEc2AndSnsCalls',
          label: `EC2 / SNS calls per violating Authorize (${authorize.length} events)`,
          value: authorizeCalls,
          unit: 'text',
          target: { text: '<= 1 DescribeSecurityGroups + 1 Revoke / 1 Publish', met: authorizeAsPromised },
        },
        {
          key: 'modifyEc2AndSnsCalls',
          label: `EC2 / SNS calls per violating Modify (${modify.length} events)`,
          value: `${range(modify, (e) => e.ec2Actions.length)} / ${range(modify, (e) => e.snsCalls)}`,
          unit: 'text',
          target: { text: 'DescribeSecurityGroupRules + <= 1 DescribeSecurityGroups + 1 Revoke / 1 Publish', met: modifyAsPromised },
        },
        {
          key: 'everyViolationRevoked',
          label: 'every violating corpus event revoked',
          value: String(perEvent.every((e) => e.allRevoked)),
          unit: 'text',
        },
      ],
      details: { perEvent },
    };
  },
};
