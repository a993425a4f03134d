import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyManagedPrefixListCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { couldNotCheckMetrics } from '../../function/core/report/metrics';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import type { EventReport, SweepReport, TagChangeReport } from '../../function/core/report/report';
import { answerDescribeGroups } from '../helpers/describe-groups-mock';
import { awsError } from '../helpers/aws-errors';
import { envelope, fixture } from '../helpers/fixtures';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sg-sentry';
const SSH_FROM_ANYWHERE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  readonly [key: string]: unknown;
}

/** Runs `act` and returns the embedded-metric-format lines it wrote to stdout (only those). */
async function emfLinesOf(act: () => Promise<unknown>): Promise<EmfLine[]> {
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await act();
  } finally {
    process.stdout.write = write;
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line): line is EmfLine => typeof line._aws === 'object');
}

function handlerAt(now: Date) {
  const logs: Record<string, unknown>[] = [];
  return {
    handler: createHandler(contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC }, { log: (line) => logs.push({ ...line }), now: () => now })),
    logs,
  };
}

describe('metrics in the embedded metric format', () => {
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    answerDescribeGroups(ec2);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('give a revoked event its ExposureSeconds: the revoke time minus the CloudTrail eventTime', async () => {
    // Prepare: the clock reads 7.25 s after the change CloudTrail recorded.
    const event = envelope(fixture(SSH_FROM_ANYWHERE));
    const revokedAt = new Date(Date.parse(event.detail.eventTime) + 7250);
    const { handler } = handlerAt(revokedAt);

    // Act
    let report: EventReport | undefined;
    const lines = await emfLinesOf(async () => {
      report = (await handler(event)) as EventReport;
    });

    // Assess
    expect(report?.findings.map((f) => f.action)).to.deep.equal(['revoked']);
    expect(lines).to.have.length(1);
    const [line] = lines;
    expect(line?.ExposureSeconds).to.equal(7.25);
    expect(line?.Revoked).to.equal(1);
    expect(line?.account).to.equal(event.account);
    expect(line?._aws.Timestamp).to.equal(revokedAt.getTime());
    expect(line?._aws.CloudWatchMetrics).to.deep.equal([
      {
        Namespace: 'sg-sentry',
        Dimensions: [['account'], []],
        Metrics: [
          { Name: 'Revoked', Unit: 'Count' },
          { Name: 'ExposureSeconds', Unit: 'Seconds' },
        ],
      },
    ]);
  });

  it('give an event nothing was revoked in (report mode) no ExposureSeconds, and count it as Reported', async () => {
    // Prepare
    const event = envelope(fixture(SSH_FROM_ANYWHERE));
    const logs: Record<string, unknown>[] = [];
    const handler = createHandler(
      contextFromEnvironment(
        { SENTRY_TOPIC_ARN: TOPIC, SENTRY_POLICY: JSON.stringify({ version: 1, mode: 'report' }) },
        { log: (line) => logs.push({ ...line }) },
      ),
    );

    // Act
    const lines = await emfLinesOf(() => handler(event));

    // Assess
    expect(lines).to.have.length(1);
    expect(lines[0]?.Reported).to.equal(1);
    expect(lines[0]).to.not.have.property('ExposureSeconds');
    expect(lines[0]).to.not.have.property('Revoked');
  });

  it('give a sweep its SweepViolations and counts, with the account', async () => {
    // Prepare: an empty region.
    const { handler } = handlerAt(new Date('2026-12-01T12:00:00Z'));
    const scheduled = {
      version: '0',
      id: 'sweep-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111122223333',
      time: '2026-12-01T12:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {},
    };

    // Act
    let report: SweepReport | undefined;
    const lines = await emfLinesOf(async () => {
      report = (await handler(scheduled)) as SweepReport;
    });

    // Assess
    expect(report?.counts.violations).to.equal(0);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ SweepViolations: 0, account: '111122223333' });
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Metrics).to.deep.equal([{ Name: 'SweepViolations', Unit: 'Count' }]);
  });

  it('writes nothing for an event that is ignored', async () => {
    // Prepare
    const { handler } = handlerAt(new Date());
    const event = envelope(fixture(SSH_FROM_ANYWHERE));
    event.detail.eventName = 'DescribeInstances';

    // Act
    const lines = await emfLinesOf(() => handler(event));

    // Assess
    expect(lines).to.deep.equal([]);
  });
});

describe('metrics of the changes that reach a group without touching it', () => {
  const LIST = 'pl-0c3516b0e5630bf3e';
  const GROUP = 'sg-07111150655b49758';

  beforeEach(() => {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    answerDescribeGroups(ec2);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('count an entry removed from a prefix list as Revoked, with the exposure since the list was changed', async () => {
    // Prepare: the real ModifyManagedPrefixList; the list now holds 0.0.0.0/0, which opens an SSH rule to the world.
    const event = envelope(fixture('modify-managed-prefix-list-add-entry-console-abridged'));
    const removedAt = new Date(Date.parse(event.detail.eventTime) + 4000);
    ec2.on(DescribeManagedPrefixListsCommand).resolves({
      PrefixLists: [{ PrefixListId: LIST, PrefixListName: 'office', OwnerId: event.account, Version: 3, AddressFamily: 'IPv4' }],
    });
    ec2.on(GetManagedPrefixListEntriesCommand).resolves({ Entries: [{ Cidr: '10.1.0.0/16' }, { Cidr: '0.0.0.0/0' }] });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-0aa',
          GroupId: 'sg-0bb',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          PrefixListId: LIST,
        },
      ],
    });
    ec2.on(ModifyManagedPrefixListCommand).resolves({ PrefixList: { PrefixListId: LIST, Version: 4 } });
    const { handler } = handlerAt(removedAt);

    // Act
    let report: EventReport | undefined;
    const lines = await emfLinesOf(async () => {
      report = (await handler(event)) as EventReport;
    });

    // Assess
    expect(report?.prefix_list?.outcome).to.equal('removed');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ Revoked: 1, ExposureSeconds: 4, account: event.account });
  });

  it('count the rules a tag change could not revoke as Failed, so that the alarm on Failed sees them', async () => {
    // Prepare: the exception tag is removed from a group whose SSH rule is open to the world; EC2 denies the revoke.
    const event = envelope(fixture('derived/delete-tags-exception-from-create-security-group-terraform-tag-specification'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-0cc',
          GroupId: GROUP,
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
        },
      ],
    });
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation', 'client', 403));
    const { handler } = handlerAt(new Date(Date.parse(event.detail.eventTime) + 2000));

    // Act
    let report: TagChangeReport | undefined;
    const lines = await emfLinesOf(async () => {
      report = (await handler(event)) as TagChangeReport;
    });

    // Assess
    expect(report?.groups[0]?.findings.map((f) => f.action)).to.deep.equal(['failed']);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ Failed: 1, account: event.account });
    expect(lines[0]).to.not.have.property('ExposureSeconds');
  });
});

describe('metrics of a change that could not be checked', () => {
  it('count CouldNotCheck once, as a total, for a report that says could_not_check', () => {
    // Prepare: the report the fail-safe path gives an unreadable event naming no group.
    const at = new Date('2026-12-01T12:00:00Z');
    const report = {
      status: 'invalid' as const,
      event_id: 'e-1',
      event_name: 'AuthorizeSecurityGroupIngress',
      reason: 'no group named',
      could_not_check: true as const,
      findings: [],
    };

    // Act
    const record = couldNotCheckMetrics(report, at);

    // Assess
    expect(record).to.deep.equal({ account: null, time: at, metrics: [{ name: 'CouldNotCheck', unit: 'Count', value: 1 }] });
    expect(couldNotCheckMetrics({ ...report, could_not_check: undefined }, at)).to.equal(undefined);
  });
});
