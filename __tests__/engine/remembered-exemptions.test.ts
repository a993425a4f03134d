/**
 * Exemptions hold in the sweep: a violation the event path lets stand because of who made it is
 * remembered in the state table, and the hourly sweep honours it instead of revoking what a
 * deployer role created on purpose (which would make Terraform and sg-sentry flap forever).
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import type { ExemptionRecord } from '../../function/core/ports';
import { processSweep } from '../../function/core/sweep';
import { InMemoryState } from '../helpers/in-memory-state';
import { accountAfter, changeOf, engineContext, NOW } from './support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const NO_RULE_IDS = 'authorize-ingress-ssh-world-go-sdk-no-rule-ids';
const ACCOUNT = '776520358045';
const REGION = 'us-east-1';
const GROUP = 'sg-0632fa4ee8a8468a4';
const RULE = 'sgr-09be5c962afdc06ed';
/** The console sample's principal is a session of role voclabs: the deployer, here. */
const DEPLOYER = { exempt_principals: [`arn:aws:iam::${ACCOUNT}:role/voclabs`] };
const DAY_S = 24 * 3600;
const SWEEP = { eventId: 'sweep-1', account: ACCOUNT, region: REGION, time: '2026-11-27T11:00:00Z' };

/** The event path's run on the real console sample, by the exempt deployer. */
async function eventTime(state: InMemoryState, policy: Record<string, unknown> = DEPLOYER) {
  const change = changeOf(SSH_WORLD);
  const ec2 = accountAfter(change);
  const { ctx, logs } = engineContext(policy, ec2, { state });
  const result = await processChange(change, ctx);
  return { ec2, logs, result };
}

describe('remembered exemptions', () => {
  describe('at event time', () => {
    it('records an exempt violation of an exempt principal under exempt#<account>#<region>#<rule id>, after judging it', async () => {
      // Prepare
      const state = new InMemoryState();

      // Act
      const { ec2 } = await eventTime(state);

      // Assess
      expect(ec2.calls).to.deep.equal([]);
      expect([...state.records.keys()]).to.deep.equal([`exempt#${ACCOUNT}#${REGION}#${RULE}`]);
      expect(state.records.get(`exempt#${ACCOUNT}#${REGION}#${RULE}`)).to.deep.equal({
        account: ACCOUNT,
        region: REGION,
        ruleId: RULE,
        groupId: GROUP,
        rule: 'ingress|tcp|22:22|cidr:0.0.0.0/0',
        ruleText: 'tcp/22 from 0.0.0.0/0',
        principal: {
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/voclabs/user289515=Jia_Jia`,
          issuerArn: `arn:aws:iam::${ACCOUNT}:role/voclabs`,
        },
        reason: `exempt_principals[0] "arn:aws:iam::${ACCOUNT}:role/voclabs" matches issuer arn:aws:iam::${ACCOUNT}:role/voclabs`,
        time: '2025-06-15T10:51:12Z',
        eventId: '2aae5c69-4eaf-490d-b022-fd622c12a717',
        expiration: Math.floor(NOW.getTime() / 1000) + 90 * DAY_S,
      } satisfies ExemptionRecord);
    });

    it('records nothing for a group excluded by id or tag: the sweep reads those itself', async () => {
      // Prepare
      const state = new InMemoryState();

      // Act
      await eventTime(state, { ...DEPLOYER, exclude_groups: [GROUP] });

      // Assess
      expect(state.calls).to.deep.equal([]);
    });

    it('records nothing for a violation that was revoked', async () => {
      // Prepare
      const state = new InMemoryState();

      // Act
      const { result } = await eventTime(state, {});

      // Assess
      expect(result.report.findings[0]).to.include({ action: 'revoked' });
      expect(state.calls).to.deep.equal([]);
    });

    it('logs a state table it cannot reach and still reports and notifies the event', async () => {
      // Prepare
      const state = new InMemoryState().failWith('BatchWriteItem on sg-sentry-state failed: AccessDeniedException: not allowed');
      const change = changeOf(SSH_WORLD);
      const { ctx, logs, notifier } = engineContext(DEPLOYER, accountAfter(change), { state });

      // Act
      const { report } = await processChange(change, ctx);

      // Assess
      expect(report.findings[0]).to.include({ verdict: 'exempt' });
      expect(notifier.published).to.have.length(1);
      expect(logs.find((l) => l.message === 'sg-sentry could not remember exemptions')).to.deep.include({
        level: 'error',
        event_id: change.eventId,
        error: 'BatchWriteItem on sg-sentry-state failed: AccessDeniedException: not allowed',
      });
    });

    it('says in a log line which exempt rules it cannot remember because the event carries no rule ids', async () => {
      // Prepare: the real Go SDK record, from before EC2 reported rule ids, by an exempt principal
      const state = new InMemoryState();
      const change = changeOf(NO_RULE_IDS);
      const { ctx, logs } = engineContext({ exempt_principals: ['arn:aws:iam::**'] }, accountAfter(change), { state });

      // Act
      await processChange(change, ctx);

      // Assess
      expect(state.calls).to.deep.equal([]);
      expect(logs.find((l) => l.message === 'sg-sentry could not remember exemptions')).to.deep.include({
        level: 'warn',
        event_id: change.eventId,
        not_remembered: 1,
        reason: 'the event carries no rule ids; the sweep will judge these rules on their own',
      });
    });
  });

  describe('in the sweep', () => {
    it('leaves a rule remembered as exempt in place and reports it exempt, saying why', async () => {
      // Prepare: the event path let the deployer's rule stand; an hour later the sweep runs
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const { ctx } = engineContext(DEPLOYER, ec2, { state });

      // Act
      const report = await processSweep(SWEEP, ctx);

      // Assess
      expect(ec2.rules().map((r) => r.ruleId)).to.deep.equal([RULE]);
      expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([]);
      expect(report.counts).to.include({ violations: 0, exempt: 1, revoked: 0 });
      expect(report.findings[0]?.reason).to.match(
        /^exempt when it was made \(event 2aae5c69-4eaf-490d-b022-fd622c12a717, 2025-06-15T10:51:12Z\): exempt_principals\[0\] .* matches issuer arn:aws:iam::776520358045:role\/voclabs; tcp\/22 from 0\.0\.0\.0\/0 is not covered/,
      );
      expect(state.calls.filter((c) => c.method === 'exemptionsOf')).to.deep.equal([{ method: 'exemptionsOf', count: 1 }]);
    });

    it('revokes a remembered rule whose principal the policy no longer exempts', async () => {
      // Prepare
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const { ctx } = engineContext({}, ec2, { state });

      // Act
      const report = await processSweep(SWEEP, ctx);

      // Assess
      expect(ec2.rules()).to.deep.equal([]);
      expect(report.findings[0]).to.include({ verdict: 'violation', action: 'revoked' });
      expect(report.findings[0]?.reason).to.contain(
        `the exemption remembered for it no longer holds: arn:aws:sts::${ACCOUNT}:assumed-role/voclabs/user289515=Jia_Jia is no longer exempt`,
      );
    });

    it('revokes a remembered rule that was edited in place since (same id, other content)', async () => {
      // Prepare
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const [stored] = ec2.rules();
      ec2.deleteGroup(GROUP);
      ec2.addRule({ ...stored!, protocol: '-1', fromPort: undefined, toPort: undefined });
      const { ctx } = engineContext(DEPLOYER, ec2, { state });

      // Act
      const report = await processSweep(SWEEP, ctx);

      // Assess
      expect(ec2.rules()).to.deep.equal([]);
      expect(report.findings[0]?.reason).to.contain(
        'the exemption remembered for it no longer holds: the rule was changed since (it was tcp/22 from 0.0.0.0/0)',
      );
    });

    it('revokes the rule without a state table, as it cannot know', async () => {
      // Prepare
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const { ctx } = engineContext(DEPLOYER, ec2);

      // Act
      const report = await processSweep(SWEEP, ctx);

      // Assess
      expect(ec2.rules()).to.deep.equal([]);
      expect(report.counts).to.include({ violations: 1, revoked: 1 });
    });

    it('leaves the violations alone and says so when the state table cannot be read, and still sweeps the rest', async () => {
      // Prepare: a second group with an ordinary violation nobody exempted, and a table that cannot be read
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      ec2.addRule({
        direction: 'ingress',
        groupId: 'sg-0aaaaaaaaaaaaaaa1',
        protocol: 'tcp',
        fromPort: 3389,
        toPort: 3389,
        source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
      });
      state.failWith();
      const { ctx, notifier } = engineContext(DEPLOYER, ec2, { state });

      // Act
      const report = await processSweep(SWEEP, ctx);

      // Assess
      expect(ec2.rules()).to.have.length(2);
      expect(report.not_reached).to.deep.equal([
        {
          group_ids: [GROUP, 'sg-0aaaaaaaaaaaaaaa1'],
          next_token: null,
          reason:
            'their remembered exemptions could not be read: BatchGetItem on sg-sentry-state failed: ResourceNotFoundException: Requested resource not found',
        },
      ]);
      expect(report.errors).to.have.length(1);
      expect(notifier.published[0]?.subject).to.contain('(incomplete)');
    });

    it('keeps a record it honours from expiring: rewritten with a new expiration once half its time is gone', async () => {
      // Prepare: a record made 50 days ago
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const key = `exempt#${ACCOUNT}#${REGION}#${RULE}`;
      const old = state.records.get(key)!;
      state.records.set(key, { ...old, expiration: old.expiration - 50 * DAY_S });
      const { ctx } = engineContext(DEPLOYER, ec2, { state });

      // Act
      await processSweep(SWEEP, ctx);

      // Assess
      expect(state.records.get(key)?.expiration).to.equal(Math.floor(NOW.getTime() / 1000) + 90 * DAY_S);
      expect(state.records.get(key)?.time).to.equal(old.time);
    });

    it('does not rewrite a record that has most of its time left', async () => {
      // Prepare
      const state = new InMemoryState();
      const { ec2 } = await eventTime(state);
      const { ctx } = engineContext(DEPLOYER, ec2, { state });

      // Act
      await processSweep(SWEEP, ctx);

      // Assess
      expect(state.calls.map((c) => c.method)).to.deep.equal(['recordExemptions', 'exemptionsOf']);
    });
  });
});
