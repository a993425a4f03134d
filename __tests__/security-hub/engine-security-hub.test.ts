/**
 * Security Hub in the engine and the sweep, at the ports: findings go to the Security Hub port
 * of the event's account and region, after the revoke and the notification, and neither a
 * refusal nor a failure of Security Hub changes what was done or what is thrown.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { NotificationError } from '../../function/core/errors';
import type { SecurityHubPort } from '../../function/core/ports';
import type { AsffFinding } from '../../function/core/report/security-hub-findings';
import { processSweep } from '../../function/core/sweep';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { accountAfter, changeOf, engineContext } from '../engine/support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

/** A Security Hub port that records, in order with EC2 and SNS, what it was sent. */
function recordingHub(order: string[], answer: () => Promise<{ failed: { id: string; code: string; message: string }[] }> = async () => ({ failed: [] })) {
  const sent: AsffFinding[] = [];
  const port: SecurityHubPort = {
    importFindings: async (findings) => {
      order.push('securityhub');
      sent.push(...findings);
      return answer();
    },
  };
  return { port, sent };
}

describe('Security Hub in the engine and the sweep', () => {
  it('imports the revoked rule after the revoke and the notification, into the event\'s account and region, and counts it in the report', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const order: string[] = [];
    const hub = recordingHub(order);
    const targets: unknown[] = [];
    const { ctx, notifier } = engineContext({}, ec2, {
      portsFor: (target) => {
        targets.push(target);
        return { ec2, securityHub: hub.port };
      },
    });
    const publish = notifier.publish.bind(notifier);
    notifier.publish = async (m) => {
      order.push(`sns after ${ec2.callsOf('revokePermissions').length} revoke(s)`);
      return publish(m);
    };

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(order).to.deep.equal(['sns after 1 revoke(s)', 'securityhub']);
    expect(targets).to.deep.equal([{ account: '776520358045', region: 'us-east-1' }]);
    expect(hub.sent.map((f) => [f.AwsAccountId, f.Region, f.Workflow.Status])).to.deep.equal([['776520358045', 'us-east-1', 'RESOLVED']]);
    expect(report.security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });

  it('still imports when SNS failed, then throws the notification\'s failure', async () => {
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const order: string[] = [];
    const hub = recordingHub(order);
    const { ctx, notifier } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });
    notifier.failWith(new Error('SNS is down'));

    const outcome = await processChange(change, ctx).then(
      () => 'returned',
      (error: unknown) => error,
    );

    expect(outcome).to.be.instanceOf(NotificationError);
    expect(hub.sent).to.have.length(1);
    expect(ec2.rules()).to.deep.equal([]);
  });

  it('counts refused findings in the report and logs them, without failing the event', async () => {
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change);
    const hub = recordingHub([], async () => ({ failed: [{ id: 'x', code: 'InvalidInput', message: 'no' }] }));
    const { ctx, logs } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });

    const { report } = await processChange(change, ctx);

    expect(report.security_hub).to.deep.equal({ imported: 0, failed: 1 });
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal(['Security Hub refused findings; remediation stands']);
  });

  it('leaves the report without security_hub when Security Hub is off', async () => {
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext({}, accountAfter(change));

    const { report } = await processChange(change, ctx);

    expect(report).to.not.have.property('security_hub');
  });

  it('imports a sweep target\'s violations after its summary', async () => {
    // Prepare: one group, one world-open SSH rule, as EC2 lists it.
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0aaa', groupName: 'web' });
    ec2.addRule({ direction: 'ingress', groupId: 'sg-0aaa', ruleId: 'sgr-0aaa', protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' } });
    const order: string[] = [];
    const hub = recordingHub(order);
    const { ctx, notifier } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });
    const publish = notifier.publish.bind(notifier);
    notifier.publish = async (m) => {
      order.push('sns');
      return publish(m);
    };

    // Act
    const report = await processSweep({ eventId: 'sweep-1', account: '123456789012', region: 'eu-west-1' }, ctx);

    // Assess
    expect(order).to.deep.equal(['sns', 'securityhub']);
    expect(hub.sent.map((f) => [f.Id, f.Workflow.Status, f.Severity.Label])).to.deep.equal([['sg-sentry/123456789012/eu-west-1/sg-0aaa/ingress/tcp/22/0.0.0.0/0', 'RESOLVED', 'CRITICAL']]);
    expect(hub.sent[0]?.ProductFields).to.include({ 'sg-sentry/event_id': 'sweep-1', 'sg-sentry/found_by': 'sweep' });
    expect(report.security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });
});
