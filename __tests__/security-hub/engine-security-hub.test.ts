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
import { parseEvent } from '../../function/core/event/parse-event';
import { processPrefixListChange } from '../../function/core/prefix-list-change';
import type { EventReport, TagChangeReport } from '../../function/core/report/report';
import { processSweep } from '../../function/core/sweep';
import { processTagChange } from '../../function/core/tag-change';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { accountAfter, changeOf, engineContext } from '../engine/support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';

/** A Security Hub port that records, in order with EC2 and SNS, what it was sent. */
function recordingHub(
  order: string[],
  answer: () => Promise<{ failed: { id: string; code: string; message: string }[] }> = async () => ({ failed: [] }),
) {
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
  it("imports the revoked rule after the revoke and the notification, into the event's account and region, and counts it in the report", async () => {
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

  it("still imports when SNS failed, then throws the notification's failure", async () => {
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
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal([
      'Security Hub refused findings; remediation stands',
    ]);
  });

  it('counts and logs the findings of a group the event names only by name, which Security Hub cannot take, without failing the event', async () => {
    // Prepare: a default-VPC Authorize that names its group by name alone
    const change = changeOf('derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk');
    const ec2 = accountAfter(change);
    const hub = recordingHub([]);
    const { ctx, logs } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => f.verdict)).to.deep.equal(['violation']);
    expect(hub.sent).to.deep.equal([]);
    expect(report.security_hub).to.deep.equal({ imported: 0, failed: 1 });
    expect(logs.filter((l) => l.level === 'error').map((l) => [l.message, l.not_imported])).to.deep.equal([
      ['Security Hub: findings not imported, their group is named only by name; remediation stands', 1],
    ]);
  });

  it('leaves the report without security_hub when Security Hub is off', async () => {
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext({}, accountAfter(change));

    const { report } = await processChange(change, ctx);

    expect(report).to.not.have.property('security_hub');
  });

  it("imports a sweep target's violations after its summary", async () => {
    // Prepare: one group, one world-open SSH rule, as EC2 lists it.
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-0aaa', groupName: 'web' });
    ec2.addRule({
      direction: 'ingress',
      groupId: 'sg-0aaa',
      ruleId: 'sgr-0aaa',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
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
    expect(hub.sent.map((f) => [f.Id, f.Workflow.Status, f.Severity.Label])).to.deep.equal([
      ['sg-sentry/123456789012/eu-west-1/sg-0aaa/ingress/tcp/22/0.0.0.0/0', 'RESOLVED', 'CRITICAL'],
    ]);
    expect(hub.sent[0]?.ProductFields).to.include({ 'sg-sentry/event_id': 'sweep-1', 'sg-sentry/found_by': 'sweep' });
    expect(report.security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });

  it('imports the rule a removed exception tag revoked, once per group, after its notification', async () => {
    // Prepare: the exception tag is gone from the group, as after the DeleteTags of the sample
    const parsed = parseEvent(envelope(fixture('derived/delete-tags-exception-from-create-security-group-terraform-tag-specification')));
    if (parsed.kind !== 'tag-change') throw new Error(`not a tag change: ${parsed.kind}`);
    const ec2 = new InMemoryEc2().addGroup({ groupId: 'sg-07111150655b49758', groupName: 'bluegreen_alb_sg', tags: {} });
    ec2.addRule({
      groupId: 'sg-07111150655b49758',
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
    const order: string[] = [];
    const hub = recordingHub(order);
    const { ctx, notifier } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });
    const publish = notifier.publish.bind(notifier);
    notifier.publish = async (m) => {
      order.push('sns');
      return publish(m);
    };

    // Act
    const report = (await processTagChange(parsed.change, ctx)) as TagChangeReport;

    // Assess
    expect(order).to.deep.equal(['sns', 'securityhub']);
    expect(hub.sent.map((f) => [f.Resources[0]?.Id, f.Workflow.Status])).to.deep.equal([
      ['arn:aws:ec2:ap-northeast-1:999999999999:security-group/sg-07111150655b49758', 'RESOLVED'],
    ]);
    expect(report.groups[0]?.security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });

  it('imports the group a prefix-list entry opened, with the command that adds the entry back', async () => {
    // Prepare: the abridged sample added 71.131.0.0/16 to a list that a tcp/22 rule references
    const event: Record<string, any> = {
      ...envelope(fixture('modify-managed-prefix-list-add-entry-console-abridged')),
      account: '598274344262',
    };
    const parsed = parseEvent(event);
    if (parsed.kind !== 'prefix-list-change') throw new Error(`not a prefix-list change: ${parsed.kind}`);
    const list = 'pl-0c3516b0e5630bf3e';
    const ec2 = new InMemoryEc2().addPrefixList({ prefixListId: list, name: 'admin-ranges', ownerId: '598274344262', entries: [] });
    ec2.editPrefixList(list, { add: [{ cidr: '71.131.0.0/16', description: 'My IP Range' }], remove: [] });
    ec2.addRule({
      direction: 'ingress',
      groupId: 'sg-0bbbbbbbbbbbbbbb2',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'prefix_list', prefixListId: list },
    });
    const hub = recordingHub([]);
    const { ctx } = engineContext({}, ec2, { portsFor: () => ({ ec2, securityHub: hub.port }) });

    // Act
    const { report } = await processPrefixListChange(parsed.change, ctx);

    // Assess
    expect(hub.sent.map((f) => f.Resources[0]?.Details?.AwsEc2SecurityGroup?.GroupId)).to.deep.equal(['sg-0bbbbbbbbbbbbbbb2']);
    expect(hub.sent[0]?.Remediation.Recommendation.Text).to.match(
      new RegExp(
        `If the prefix-list entry was legitimate, cover it in the policy, then add it back: aws ec2 modify-managed-prefix-list .*--prefix-list-id ${list} --current-version 3 --add-entries`,
      ),
    );
    expect((report as EventReport).security_hub).to.deep.equal({ imported: 1, failed: 0 });
  });
});
