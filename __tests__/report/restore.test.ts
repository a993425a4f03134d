/**
 * Restore commands: per group and direction, the exact permissions revoked and one line of AWS
 * CLI that re-creates them, safe to paste whatever the (attacker-chosen) descriptions hold.
 * Events start from real fixtures in __tests__/fixtures/cloudtrail and derived ones.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { processChange } from '../../function/core/engine';
import type { Rule } from '../../function/core/model/rule';
import { emailOf } from '../../function/core/report/event-notification';
import { authorizeCommand, groupRestores, type GroupRestore } from '../../function/core/report/restore';
import type { EventReport } from '../../function/core/report/report';
import { ipPermissionsOf } from '../../function/core/model/ip-permission';
import { sweepNotificationOf } from '../../function/core/report/sweep-notification';
import { processSweep } from '../../function/core/sweep';
import { accountAfter, changeOf, engineContext } from '../engine/support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const V4_V6 = 'eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021';
const MULTI = 'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole';
const GROUP_NAME = 'derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk';

/** The restores of an event report that are about groups (not prefix lists). */
function groupRestoresOf(report: EventReport): GroupRestore[] {
  return report.restore.filter((r): r is GroupRestore => 'group_id' in r);
}

/** The words bash makes of a command line whose program is `aws` (a function that prints its arguments). */
function wordsOf(command: string): string[] {
  const script = `aws() { printf '%s\\0' "$@"; }\n${command}\n`;
  const run = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(run.status, run.stderr).to.equal(0);
  return run.stdout.split('\0').slice(0, -1);
}

describe('restore commands', () => {
  it('gives the exact permission a revoke removed and the command that authorizes it again', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext({}, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    const permissions = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    expect(report.restore).to.deep.equal([
      {
        account: '776520358045',
        region: 'us-east-1',
        group_id: 'sg-0632fa4ee8a8468a4',
        direction: 'ingress',
        ip_permissions: permissions,
        command:
          'aws ec2 authorize-security-group-ingress --region us-east-1 --group-id sg-0632fa4ee8a8468a4 --ip-permissions ' +
          `'[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0\\/0"}]}]'`,
      },
    ]);
    expect(JSON.parse(wordsOf(report.restore[0]!.command).at(-1)!)).to.deep.equal(permissions);
  });

  it('puts the IPv4 and IPv6 sources of one port into one permission', async () => {
    // Prepare
    const change = changeOf(V4_V6);
    const { ctx } = engineContext({}, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(groupRestoresOf(report).map((r) => r.ip_permissions)).to.deep.equal([
      [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    ]);
  });

  it('restores only what was revoked, not the allowed rules of the same call', async () => {
    // Prepare
    const change = changeOf(MULTI);
    const { ctx } = engineContext({}, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(groupRestoresOf(report).map((r) => r.ip_permissions)).to.deep.equal([
      [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    ]);
  });

  it('names a default-VPC group by name when no id is known', async () => {
    // Prepare: a policy that reads no tags, so the group is not read (and its id stays unknown).
    const change = changeOf(GROUP_NAME);
    const ec2 = accountAfter(change, { groupName: change.groupName });
    const { ctx } = engineContext({ exception_tag: null }, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    const [restore] = groupRestoresOf(report);
    expect(restore?.group_id).to.equal(null);
    expect(restore?.group_name).to.equal(change.groupName);
    expect(wordsOf(restore!.command).slice(0, 7)).to.deep.equal([
      'ec2',
      'authorize-security-group-ingress',
      '--region',
      change.region,
      '--group-name',
      change.groupName!,
      '--ip-permissions',
    ]);
  });

  it('uses authorize-security-group-egress for an egress revoke', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD, (record) => {
      record.eventName = 'AuthorizeSecurityGroupEgress';
      for (const item of record.responseElements.securityGroupRuleSet.items) item.isEgress = true;
    });
    const { ctx } = engineContext({ egress: { allow: [] } }, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(groupRestoresOf(report).map((r) => [r.direction, wordsOf(r.command)[1]])).to.deep.equal([
      ['egress', 'authorize-security-group-egress'],
    ]);
  });

  it('has nothing to restore in report mode, or when the rule was already gone', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const reportMode = engineContext({ mode: 'report' }, accountAfter(change));
    const gone = engineContext({}, accountAfter({ ...change, rules: [] }));

    // Act
    const reported = await processChange(change, reportMode.ctx);
    const alreadyGone = await processChange(change, gone.ctx);

    // Assess
    expect(reported.report.restore).to.deep.equal([]);
    expect(alreadyGone.report.findings.map((f) => f.action)).to.deep.equal(['already-removed']);
    expect(alreadyGone.report.restore).to.deep.equal([]);
  });

  it('restores the original rule of a restrict, with its description', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD, (record) => {
      record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = 'vendor test; $HOME';
    });
    const { ctx } = engineContext({ action: 'restrict', restrict_to: ['10.0.0.0/8'] }, accountAfter(change));

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => f.action)).to.deep.equal(['restricted']);
    expect(groupRestoresOf(report)[0]?.ip_permissions).to.deep.equal([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'vendor test; $HOME' }] },
    ]);
  });

  it('shows the commands in the email under "To undo this revert", exactly as they are pasted', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext({}, accountAfter(change));
    const { report } = await processChange(change, ctx);

    // Act
    const email = emailOf(report);

    // Assess
    const lines = email.split('\n');
    const heading = lines.indexOf('To undo this revert (AWS CLI v2, one command per line)');
    expect(heading).to.be.greaterThan(0);
    expect(lines.slice(heading + 1, heading + 3)).to.deep.equal([
      '  1. ingress rules of sg-0632fa4ee8a8468a4:',
      report.restore[0]!.command,
    ]);
  });

  it('says nothing about undoing in report mode', async () => {
    // Prepare
    const change = changeOf(SSH_WORLD);
    const { ctx } = engineContext({ mode: 'report' }, accountAfter(change));
    const { report } = await processChange(change, ctx);

    // Act
    const email = emailOf(report);

    // Assess
    expect(email).not.to.contain('To undo');
  });

  describe('quoting (property: any description survives bash unchanged)', () => {
    const dangerous = fc.constantFrom(
      "'",
      '"',
      '`',
      '$',
      '$(id)',
      '${HOME}',
      ';',
      '&&',
      '|',
      '\\',
      '\n',
      '\r',
      '\t',
      '!',
      '*',
      '#',
      '~',
      ' ',
      '\u2028',
      '\u202e',
      '\u00e9',
      '\u{1F600}',
      '\0',
    );
    const description = fc
      .array(fc.oneof(dangerous, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 12 })
      .map((parts) => parts.join(''));

    it('parses back, through bash, to exactly the permissions revoked', () => {
      fc.assert(
        fc.property(
          fc.array(description, { minLength: 1, maxLength: 3 }),
          fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
          (descriptions, direction) => {
            // Prepare
            const rules: Rule[] = descriptions.map((text, i) => ({
              direction,
              groupId: 'sg-0632fa4ee8a8468a4',
              protocol: 'tcp',
              fromPort: 22 + i,
              toPort: 22 + i,
              source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
              description: text,
            }));

            // Act
            const command = authorizeCommand('us-east-1', { groupId: 'sg-0632fa4ee8a8468a4' }, direction, ipPermissionsOf(rules, true));
            const words = wordsOf(command);

            // Assess
            expect(command).to.match(/^[\x20-\x7e]+$/);
            expect(words.slice(0, 6)).to.deep.equal([
              'ec2',
              `authorize-security-group-${direction}`,
              '--region',
              'us-east-1',
              '--group-id',
              'sg-0632fa4ee8a8468a4',
            ]);
            expect(JSON.parse(words[7]!).map((p: { IpRanges: { Description: string }[] }) => p.IpRanges[0]!.Description)).to.deep.equal(
              descriptions,
            );
          },
        ),
        { numRuns: 60 },
      );
    });

    it('quotes a group name that a shell would otherwise read', () => {
      // Prepare
      const name = "web'; rm -rf / #";

      // Act
      const command = authorizeCommand('us-east-1', { groupName: name }, 'ingress', [{ IpProtocol: '-1' }]);

      // Assess
      expect(wordsOf(command)[5]).to.equal(name);
    });
  });

  it('lists what a sweep revoked, per group, in its report and its summary email', async () => {
    // Prepare: the rule of the real SSH-world event, found by the sweep instead, beside an allowed one.
    const change = changeOf(SSH_WORLD);
    const ec2 = accountAfter(change, { groupName: 'web' });
    ec2.addRule({ ...change.rules[0]!, groupId: change.groupId!, ruleId: undefined, fromPort: 443, toPort: 443 });
    const { ctx } = engineContext({}, ec2);

    // Act
    const report = await processSweep({ eventId: 'sweep-1', account: '776520358045', region: 'us-east-1' }, ctx);

    // Assess
    expect(report.restore.map((r) => [r.group_id, r.direction, r.ip_permissions])).to.deep.equal([
      ['sg-0632fa4ee8a8468a4', 'ingress', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]],
    ]);
    expect(sweepNotificationOf(report).email.split('\n')).to.include(report.restore[0]!.command);
  });

  it('gives one restore per group and direction, in the order of the findings', () => {
    // Prepare
    const rule = (groupId: string, direction: 'ingress' | 'egress', port: number): Rule => ({
      direction,
      groupId,
      protocol: 'tcp',
      fromPort: port,
      toPort: port,
      source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
    });
    const findings = [
      rule('sg-0b', 'ingress', 22),
      rule('sg-0a', 'egress', 25),
      rule('sg-0b', 'ingress', 3389),
      rule('sg-0a', 'ingress', 22),
    ].map((r) => ({
      rule: r,
      verdict: 'violation' as const,
      action: 'revoked' as const,
      reason: 'r',
      verdictReason: 'r',
    }));

    // Act
    const restores = groupRestores(findings, { account: '111122223333', region: 'eu-west-1' });

    // Assess
    expect(restores.map((r) => `${r.group_id} ${r.direction} ${r.ip_permissions.map((p) => p.FromPort).join(',')}`)).to.deep.equal([
      'sg-0b ingress 22,3389',
      'sg-0a egress 25',
      'sg-0a ingress 22',
    ]);
  });
});
