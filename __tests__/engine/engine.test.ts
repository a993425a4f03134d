import { expect } from 'chai';
import { plannedActionText } from '../../function/core/act/action';
import { processChange } from '../../function/core/engine';
import { Ec2CallError, NotificationError, RetryableRemediationError } from '../../function/core/errors';
import { throttled } from '../helpers/in-memory-ec2';
import { accountAfter, changeOf, engineContext, thrown } from './support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const MULTI = 'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole';
const NO_RULE_IDS = 'eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021';
const IPV6_MYSQL = 'derived/ipv6-world-only-mysql-from-mysql-world-v4-v6-console';
const MODIFY = 'derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole';

describe('engine, at the ports', () => {
  it('revokes only the offending rule of a multi-rule call, by its content, and leaves the others in EC2', async () => {
    // Prepare
    const change = changeOf(MULTI);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([
      { method: 'describeGroups', request: ['sg-0632fa4ee8a8468a4'] },
      { method: 'revokePermissions', request: { direction: 'ingress', groupId: 'sg-0632fa4ee8a8468a4', rules: [change.rules[1]] } },
    ]);
    expect(ec2.rules().map((r) => `${r.source.kind === 'cidr' ? r.source.cidr : ''}:${r.fromPort}`)).to.deep.equal([
      '10.1.0.0/16:22',
      '0.0.0.0/0:443',
    ]);
    expect(report.findings.map((f) => `${f.source}:${f.from_port} ${f.verdict} ${f.action}`)).to.deep.equal([
      '10.1.0.0/16:22 allowed none',
      '0.0.0.0/0:22 violation revoked',
      '0.0.0.0/0:443 allowed none',
    ]);
  });

  it('revokes by exact permission when the event has no rule ids, leaving nothing of it in EC2', async () => {
    // Prepare
    const change = changeOf(NO_RULE_IDS);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions']);
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings.map((f) => f.action)).to.deep.equal(['revoked', 'revoked']);
  });

  it('changes nothing in report mode and says what it would do', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const { ctx, notifier } = engineContext({ mode: 'report' }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess: only the read of the group's tags, nothing that changes EC2
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups']);
    expect(ec2.rules()).to.have.length(1);
    expect(report.findings[0]).to.include({ verdict: 'violation', action: 'reported' });
    expect(report.findings[0]?.reason).to.match(/^would revoke: tcp\/22 from 0\.0\.0\.0\/0 /);
    expect(notifier.published.map((m) => m.subject)).to.deep.equal([
      'sg-sentry: would revoke tcp/22 from 0.0.0.0/0 on sg-0632fa4ee8a8468a4',
    ]);
  });

  it('restricts: the world rule is gone and the same port is open from restrict_to only, with a description', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({ action: 'restrict', restrict_to: ['10.20.0.0/16'] }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions', 'authorizePermissions']);
    expect(
      ec2.rules().map((r) => [r.source.kind === 'cidr' ? r.source.cidr : '', r.protocol, r.fromPort, r.toPort, r.description]),
    ).to.deep.equal([['10.20.0.0/16', 'tcp', 22, 22, `sg-sentry: replaced 0.0.0.0/0 (by ${change.principal.arn}, 2026-11-27T10:00:00Z)`]]);
    expect(report.findings[0]).to.include({ action: 'restricted' });
  });

  it('acts on the restrict + IPv6 case exactly as `sg-sentry check` says it would: revoke, not restricted', async () => {
    // Prepare
    const change = changeOf(IPV6_MYSQL);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }, ec2);

    // Act
    const { report, findings } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions']);
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]).to.include({ action: 'revoked' });
    expect(report.findings[0]?.reason).to.match(/^not restricted: restrict_to has no IPv6 CIDR; /);
    // The words `check` prints after "->" come from this same decision.
    expect(findings[0]?.planned && plannedActionText(findings[0].planned)).to.equal(
      'revoke (not restricted: restrict_to has no IPv6 CIDR)',
    );
  });

  it('leaves a change by an exempt principal alone and reports it as exempt', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const { ctx, notifier } = engineContext({ exempt_principals: ['arn:aws:iam::*:role/voclabs'] }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([]);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(report.findings[0]?.reason).to.match(/^exempt_principals\[0\] "arn:aws:iam::\*:role\/voclabs" matches issuer /);
    expect(notifier.published).to.have.length(1);
  });

  it('never touches an excluded group', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const { ctx } = engineContext({ exclude_groups: ['sg-0632fa4ee8a8468a4'] }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([]);
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
  });

  it('reads the tags once and leaves a group carrying an exclude_tags tag alone, naming it and its VPC', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change, { groupName: 'bastion', vpcId: 'vpc-1', tags: { 'sg-sentry': 'off' } });
    const { ctx } = engineContext({ exclude_tags: { 'sg-sentry': 'off' } }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls).to.deep.equal([{ method: 'describeGroups', request: ['sg-0632fa4ee8a8468a4'] }]);
    expect(report).to.include({ group_name: 'bastion', vpc_id: 'vpc-1' });
    expect(report.findings[0]).to.include({ verdict: 'exempt', action: 'none' });
    expect(report.findings[0]?.reason).to.match(/^group excluded by tag sg-sentry=off; /);
  });

  it('reports a rule that is already gone from EC2 as already removed, and still notifies', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const removed = accountAfter({ ...change, rules: [] });
    const { ctx, notifier } = engineContext({}, removed);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(removed.calls.map((c) => c.method)).to.deep.equal(['describeGroups', 'revokePermissions']);
    expect(report.findings[0]).to.include({ action: 'already-removed' });
    expect(notifier.published).to.have.length(1);
  });

  it('still revokes the other rules when one rule of a batch is gone', async () => {
    // Prepare: two violations (world SSH and world RDP); someone removed the SSH one meanwhile.
    const change = changeOf(MULTI, (record) => {
      record.requestParameters.ipPermissions.items[1].fromPort = 3389;
      record.requestParameters.ipPermissions.items[1].toPort = 3389;
      Object.assign(record.responseElements.securityGroupRuleSet.items[2], { fromPort: 3389, toPort: 3389 });
    });
    const gone = accountAfter({ ...change, rules: change.rules.filter((r) => r.ruleId !== 'sgr-02b2b2b2b2b2b2b22') });
    const { ctx } = engineContext({}, gone);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    // EC2 answers the one it did not find as unknown and revokes the other in the same call.
    expect(
      gone.callsOf('revokePermissions').map((r) => (r as { rules: { ruleId: string }[] }).rules.map((rule) => rule.ruleId)),
    ).to.deep.equal([['sgr-02b2b2b2b2b2b2b22', 'sgr-03c3c3c3c3c3c3c33']]);
    expect(report.findings.filter((f) => f.verdict === 'violation').map((f) => f.action)).to.deep.equal(['already-removed', 'revoked']);
    expect(gone.rules().some((r) => r.ruleId === 'sgr-03c3c3c3c3c3c3c33')).to.equal(false);
  });

  it('throws for a retryable failure after logging the report, and notifies nothing', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change).failOn('revokePermissions', throttled());
    const { ctx, notifier, logs } = engineContext({}, ec2);

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(ec2.rules()).to.have.length(1);
    expect(notifier.published).to.deep.equal([]);
    expect(logs.at(-1)).to.include({ level: 'error', message: 'sg-sentry event' });
  });

  it('reports a permanent failure as failed and notifies it, without throwing', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change).failOn(
      'revokePermissions',
      new Ec2CallError('UnauthorizedOperation', 'You are not authorized to perform this operation.', false),
    );
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings[0]).to.include({ action: 'failed' });
    expect(report.findings[0]?.error).to.contain('UnauthorizedOperation');
    expect(notifier.published.map((m) => m.attributes.action)).to.deep.equal(['failed']);
  });

  it('notifies only once the revoke is done, and a failed notification leaves the revoke in place', async () => {
    // Prepare: the notifier looks at EC2 when it is called.
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const seenAtPublish: number[] = [];
    const { ctx } = engineContext({}, ec2, {
      notifier: {
        publish: async () => {
          seenAtPublish.push(ec2.rules().length);
          throw new Error('SNS is down');
        },
      },
    });

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(seenAtPublish).to.deep.equal([0]);
    expect(error).to.be.instanceOf(NotificationError);
    expect(ec2.rules()).to.deep.equal([]);
  });

  it('looks up the direction of a modified rule in EC2, then revokes it by id in the region of the event', async () => {
    // Prepare: the rule the Modify names is an ingress rule open to the world in EC2.
    const change = changeOf(MODIFY);
    const ec2 = changeAndAccount(change);
    const { ctx, regions } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(regions).to.deep.equal([change.region]);
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules', 'describeGroups', 'revokeRuleIds']);
    expect(ec2.rules()).to.deep.equal([]);
    expect(report.findings[0]).to.include({ direction: 'ingress', action: 'revoked' });
  });

  it('reports a modified rule that EC2 no longer has as already removed, without a revoke', async () => {
    // Prepare
    const change = changeOf(MODIFY);
    const ec2 = accountAfter({ ...change, rules: [] });
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules']);
    expect(report.findings.map((f) => f.action)).to.deep.equal(['already-removed']);
  });

  it('reports a modified rule that EC2 still holds but sg-sentry cannot read as a violation that cannot be evaluated, not as removed, and notifies it', async () => {
    // Prepare: EC2 lists the rule the Modify names with a protocol the adapter does not know
    const change = changeOf(MODIFY);
    const [named] = change.undirectedRules;
    const ec2 = accountAfter({ ...change, rules: [] }).addUnreadable({
      groupId: named?.groupId,
      ruleId: named?.ruleId,
      direction: 'ingress',
      protocol: '143',
      source: 'CidrIpv4 0.0.0.0/0',
      problem: 'protocol 143 is not one sg-sentry knows',
    });
    const { ctx, notifier } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(ec2.callsOf('revokeRuleIds')).to.deep.equal([]);
    expect(report.findings.map((f) => [f.rule_id, f.verdict, f.action])).to.deep.equal([[named?.ruleId, 'violation', 'none']]);
    expect(report.findings[0]?.reason).to.match(/^cannot be evaluated: protocol 143/);
    expect(report.verdict).to.equal('violation');
    expect(notifier.published).to.have.length(1);
  });

  it('throws retryably when the lookup before judging is throttled, and does nothing else', async () => {
    // Prepare
    const change = changeOf(MODIFY);
    const ec2 = changeAndAccount(change).failOn('describeRules', throttled());
    const { ctx } = engineContext({}, ec2);

    // Act
    const error = await thrown(processChange(change, ctx));

    // Assess
    expect(error).to.be.instanceOf(RetryableRemediationError);
    expect(ec2.calls.map((c) => c.method)).to.deep.equal(['describeRules']);
    expect(ec2.rules()).to.have.length(1);
  });

  it('reports the rules of a group deleted since the event as already removed', async () => {
    // Prepare
    const change = changeOf(NO_RULE_IDS);
    const ec2 = accountAfter(change);
    ec2.deleteGroup(change.groupId ?? '');
    const { ctx } = engineContext({}, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => f.action)).to.deep.equal(['already-removed', 'already-removed']);
  });
});

/** EC2 after a Modify: the named rule, as ingress tcp/22 from the world, with its id. */
function changeAndAccount(change: ReturnType<typeof changeOf>) {
  const [modified] = change.undirectedRules;
  if (modified === undefined) throw new Error('no modified rule');
  const ec2 = accountAfter({ ...change, rules: [] });
  ec2.addRule({ ...modified, direction: 'ingress' });
  return ec2;
}
