/**
 * The handler acting in the event's account: an event forwarded from a member account is handled
 * there, through the member role, and the central account is left alone; without a member role
 * it is ignored; an envelope that contradicts its record is invalid. Real console record
 * (authorize-ingress-ssh-world-rule-ids-console-assumedrole), moved to a member account.
 */
import { expect } from 'chai';
import { AccountPorts } from '../../function/adapters/account-ports';
import { toEc2CallError } from '../../function/adapters/aws-error';
import { AssumeRoleError, type CredentialSource } from '../../function/adapters/member-credentials';
import { parsePolicy } from '../../function/core/policy/policy';
import type { Ec2Port } from '../../function/core/ports';
import type { EventReport, SkippedReport } from '../../function/core/report/report';
import { createHandler } from '../../function/handler';
import { awsError } from '../helpers/aws-errors';
import { clone, envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { RecordingNotifier } from '../helpers/recording-notifier';

const RECORD = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
const CENTRAL = '111122223333';
const MEMBER = RECORD.recipientAccountId as string;
const GROUP = RECORD.requestParameters.groupId as string;
const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:eu-west-1:${CENTRAL}:function:sg-sentry` };

/** EC2 of one account as the SDK behaves with credentials: they are resolved before each call. */
function withCredentials(inner: InMemoryEc2, credentials: CredentialSource | undefined): Ec2Port {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (credentials !== undefined) await credentials().catch((error: unknown) => Promise.reject(toEc2CallError(error)));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Central and member account, each with the group holding the world-open rule. */
function organization(options: { memberRoleName?: string; assumeRoleFails?: Error } = {}) {
  const accounts = new Map<string, InMemoryEc2>();
  const accountOf = (id: string) => {
    let ec2 = accounts.get(id);
    if (ec2 === undefined) {
      ec2 = new InMemoryEc2().addGroup({ groupId: GROUP });
      for (const item of RECORD.responseElements.securityGroupRuleSet.items) {
        ec2.addRule({
          groupId: GROUP,
          ruleId: item.securityGroupRuleId,
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
        });
      }
      accounts.set(id, ec2);
    }
    return ec2;
  };
  const ports = new AccountPorts({
    ...(options.memberRoleName !== undefined ? { memberRoleName: options.memberRoleName } : {}),
    ec2: (_region, credentials) => withCredentials(accountOf(credentials === undefined ? CENTRAL : MEMBER), credentials),
    assumeRole: (roleArn) => async () => {
      if (options.assumeRoleFails) throw new AssumeRoleError(roleArn, options.assumeRoleFails);
      return { accessKeyId: roleArn, secretAccessKey: 's', sessionToken: 't', expiration: new Date('2100-01-01T00:00:00Z') };
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
  });
  const notifier = new RecordingNotifier();
  const logs: Record<string, unknown>[] = [];
  const handler = createHandler({
    policy: parsePolicy({}),
    portsFor: (target) => ports.portsFor(target),
    bindInvocation: (context) => ports.identify(context.invokedFunctionArn),
    notifier,
    log: (line) => logs.push({ ...line }),
    now: () => new Date('2026-11-27T10:00:00Z'),
  });
  return { handler, central: accountOf(CENTRAL), member: accountOf(MEMBER), notifier, logs };
}

describe("handler, in the event's account", () => {
  it('revokes an event forwarded from a member account in that account, and not in the central one', async () => {
    // Prepare
    const { handler, central, member, notifier } = organization({ memberRoleName: 'sg-sentry-member' });

    // Act
    const report = (await handler(envelope(RECORD), CONTEXT)) as EventReport;

    // Assess
    expect(report).to.include({ account: MEMBER, verdict: 'violation' });
    expect(report.findings.map((f) => f.action)).to.deep.equal(['revoked']);
    expect(member.rules(GROUP)).to.deep.equal([]);
    expect(central.rules(GROUP)).to.have.lengthOf(1);
    expect(central.calls).to.deep.equal([]);
    expect(notifier.published).to.have.lengthOf(1);
  });

  it('ignores an event of another account when no member role is configured: no call, no throw, a log line', async () => {
    // Prepare
    const { handler, central, member, notifier, logs } = organization({});

    // Act
    const report = (await handler(envelope(RECORD), CONTEXT)) as SkippedReport;

    // Assess
    expect(report.status).to.equal('ignored');
    expect(report.reason).to.contain(`account ${MEMBER} is not the function's own`);
    expect([...central.calls, ...member.calls]).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
    expect(logs).to.have.lengthOf(1);
    expect(logs[0]).to.include({ level: 'warn', message: 'sg-sentry ignored event', account: MEMBER });
  });

  it('ignores an event of another account it cannot read when no member role is configured, as it ignores one it can read', async () => {
    // Prepare: the record's port is unreadable, its group id still readable.
    const { handler, central, member, notifier, logs } = organization({});
    const record = clone(RECORD);
    record.requestParameters.ipPermissions.items[0].toPort = 'twenty-two';

    // Act
    const report = (await handler(envelope(record), CONTEXT)) as SkippedReport;

    // Assess
    expect(report.status).to.equal('ignored');
    expect(report).to.not.have.property('could_not_check');
    expect(report.reason).to.contain(`account ${MEMBER} is not the function's own`);
    expect([...central.calls, ...member.calls]).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
    expect(logs.map((l) => [l.level, l.message])).to.deep.equal([['warn', 'sg-sentry ignored event']]);
  });

  it('reports and notifies a member role it may not assume as failed, without a retry', async () => {
    // Prepare
    const { handler, member, notifier } = organization({
      memberRoleName: 'sg-sentry-member',
      assumeRoleFails: awsError('AccessDenied', 'client', 403),
    });

    // Act
    const report = (await handler(envelope(RECORD), CONTEXT)) as EventReport;

    // Assess
    expect(report.findings.map((f) => [f.action, f.error])).to.deep.equal([
      ['failed', `AccessDenied: assuming arn:aws:iam::${MEMBER}:role/sg-sentry-member failed: AccessDenied happened`],
    ]);
    expect(member.rules(GROUP)).to.have.lengthOf(1);
    expect(notifier.published).to.have.lengthOf(1);
  });

  it('throws, so that Lambda retries, when AssumeRole is throttled', async () => {
    // Prepare
    const { handler } = organization({ memberRoleName: 'sg-sentry-member', assumeRoleFails: awsError('Throttling', 'client', 400) });

    // Act
    const thrown = await handler(envelope(RECORD), CONTEXT).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).to.be.instanceOf(Error);
    expect((thrown as Error).name).to.equal('RetryableRemediationError');
  });

  for (const [field, value, problem] of [
    ['account', CENTRAL, `account: "${CENTRAL}" differs from detail.recipientAccountId "${MEMBER}"`],
    ['region', 'eu-west-1', `region: "eu-west-1" differs from detail.awsRegion "${RECORD.awsRegion}"`],
  ] as const) {
    it(`treats an envelope whose ${field} contradicts its record as invalid, and calls nothing`, async () => {
      // Prepare
      const { handler, central, member } = organization({ memberRoleName: 'sg-sentry-member' });
      const event = { ...envelope(clone(RECORD)), [field]: value };

      // Act
      const report = (await handler(event, CONTEXT)) as SkippedReport;

      // Assess
      expect(report.status).to.equal('invalid');
      expect(report.problems).to.deep.equal([problem]);
      expect([...central.calls, ...member.calls]).to.deep.equal([]);
    });
  }
});
