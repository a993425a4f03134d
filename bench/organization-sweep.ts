/**
 * The organization's sweep, through the handler with the SDK clients stubbed (aws-sdk-client-mock),
 * so the figures are sg-sentry's own cost, not the services' latency:
 * - dispatch: the scheduled event over 20 accounts × 10 regions (200 targets) with a sweep queue,
 *   twenty SendMessageBatch calls of ten;
 * - per-target sweep: one sweep-queue record whose account and region hold 1,000 rules (100
 *   groups of 10, one world-open SSH rule in each), listed in one page, 100 violations revoked.
 * Each is timed over several warm runs after one warm-up; the figure is the median.
 */
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { performance } from 'node:perf_hooks';
import type { SweepDispatchReport } from '../function/core/report/sweep-run-report';
import type { SweepJobsResult } from '../function/core/sweep-fan-out';
import { contextFromEnvironment } from '../function/environment';
import { createHandler, type LambdaContextLike } from '../function/handler';

const OWN = '111122223333';
const HOME = 'eu-west-1';
const ACCOUNTS = Array.from({ length: 20 }, (_, i) => String(200000000000 + i));
const REGIONS = [
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-southeast-2',
];
const GROUPS = 100;
const RULES_PER_GROUP = 10;
const RUNS = 15;
const QUEUE_URL = `https://sqs.${HOME}.amazonaws.com/${OWN}/sg-sentry-sweep`;
const TOPIC = `arn:aws:sns:${HOME}:${OWN}:sg-sentry`;
/** The Lambda context of the central function, with the module's default timeout of 120 s. */
const LAMBDA: LambdaContextLike & { invokedFunctionArn: string } = {
  invokedFunctionArn: `arn:aws:lambda:${HOME}:${OWN}:function:sg-sentry`,
  getRemainingTimeInMillis: () => 120_000,
};

export interface Figure {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly unit: 'ms';
  readonly target: { readonly text: string; readonly met: boolean };
}

/** The 1,000 rules of one target: in each group one world-open SSH rule, the rest private. */
function targetRules(): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const groupId = `sg-0${g.toString(16).padStart(16, '0')}`;
    for (let r = 0; r < RULES_PER_GROUP; r++) {
      rules.push({
        SecurityGroupRuleId: `sgr-0${(g * RULES_PER_GROUP + r).toString(16).padStart(16, '0')}`,
        GroupId: groupId,
        GroupOwnerId: OWN,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: r === 0 ? 22 : 8000 + r,
        ToPort: r === 0 ? 22 : 8000 + r,
        CidrIpv4: r === 0 ? '0.0.0.0/0' : `10.${g}.${r}.0/24`,
      });
    }
  }
  return rules;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1] ?? Number.NaN;
}

async function timed(runs: number, body: () => Promise<void>): Promise<number[]> {
  await body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await body();
    times.push(performance.now() - started);
  }
  return times;
}

export async function organizationSweep(log: (message: string) => void) {
  const sqs = mockClient(SQSClient);
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  try {
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: [],
    }));
    const rules = targetRules();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: rules });
    // The policy reads the groups' tags (exclusions, exceptions): untagged groups of a VPC.
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[] }) => ({
      SecurityGroups: (input.GroupIds ?? []).map((id) => ({
        GroupId: id,
        GroupName: `web-${id.slice(-4)}`,
        VpcId: 'vpc-0bench',
        Tags: [],
      })),
    }));
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    sns.on(PublishCommand).resolves({ MessageId: 'p-1' });

    const env = {
      AWS_REGION: HOME,
      SENTRY_TOPIC_ARN: TOPIC,
      SENTRY_MEMBER_ROLE_NAME: 'sg-sentry-member',
      SENTRY_SWEEP_QUEUE_URL: QUEUE_URL,
      SENTRY_SWEEP_ACCOUNTS: JSON.stringify(ACCOUNTS),
      SENTRY_SWEEP_REGIONS: JSON.stringify(REGIONS),
    };
    const handler = createHandler(contextFromEnvironment(env, { log: () => undefined }));
    const schedule = {
      version: '0',
      id: 'bench-schedule',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: OWN,
      time: '2026-12-01T10:00:00Z',
      region: HOME,
      resources: [`arn:aws:events:${HOME}:${OWN}:rule/sg-sentry-sweep`],
      detail: {},
    };

    log(`organization sweep: dispatch of ${ACCOUNTS.length * REGIONS.length} targets, ${RUNS} warm runs, stubbed SQS`);
    let dispatched = 0;
    let batchCalls = 0;
    const dispatchMs = await timed(RUNS, async () => {
      sqs.resetHistory();
      const report = (await handler(schedule, LAMBDA)) as SweepDispatchReport;
      dispatched = report.targets;
      batchCalls = sqs.commandCalls(SendMessageBatchCommand).length;
    });

    // The function's own account: its own credentials, no AssumeRole in the figure.
    const record = {
      messageId: 'bench-job',
      receiptHandle: 'bench-job',
      body: JSON.stringify({ account: OWN, region: HOME }),
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${HOME}:${OWN}:sg-sentry-sweep`,
      awsRegion: HOME,
    };
    log(`organization sweep: one target of ${rules.length} rules as an SQS record, ${RUNS} warm runs, stubbed EC2 and SNS`);
    let failures = -1;
    let revokeCalls = 0;
    let publishCalls = 0;
    const sweepMs = await timed(RUNS, async () => {
      ec2.resetHistory();
      sns.resetHistory();
      const result = (await handler({ Records: [record] }, LAMBDA)) as SweepJobsResult;
      failures = result.batchItemFailures.length;
      revokeCalls = ec2.commandCalls(RevokeSecurityGroupIngressCommand).length;
      publishCalls = sns.commandCalls(PublishCommand).length;
    });

    // A figure is only worth printing for the work it claims: every job sent, every violation revoked.
    if (dispatched !== ACCOUNTS.length * REGIONS.length || revokeCalls !== GROUPS || failures !== 0) {
      throw new Error(
        `organization sweep bench did not do its work: ${dispatched} dispatched, ${revokeCalls} revoke calls, ${failures} failures`,
      );
    }
    const dispatchMedian = median(dispatchMs);
    const sweepMedian = median(sweepMs);
    // A batch of ten records must fit the default 120 s timeout less the sweep's 10 s reserve.
    const perTargetLimit = (120_000 - 10_000) / 10;
    const figures: Figure[] = [
      {
        key: 'dispatch200',
        label: `dispatch of ${ACCOUNTS.length * REGIONS.length} sweep targets (stubbed SQS), median of ${RUNS}`,
        value: dispatchMedian,
        unit: 'ms',
        target: { text: '<= 1,000 ms', met: dispatchMedian <= 1000 },
      },
      {
        key: 'perTarget1000',
        label: `sweep of one target of ${rules.length.toLocaleString('en-US')} rules from its SQS record (stubbed EC2), median of ${RUNS}`,
        value: sweepMedian,
        unit: 'ms',
        target: { text: `<= ${perTargetLimit.toLocaleString('en-US')} ms (10 a batch in 120 s)`, met: sweepMedian <= perTargetLimit },
      },
    ];
    return {
      figures,
      details: {
        dispatch: { targets: dispatched, sendMessageBatchCalls: batchCalls, ms: dispatchMs },
        perTarget: { rules: rules.length, groups: GROUPS, revokeCalls, publishCalls, batchItemFailures: failures, ms: sweepMs },
      },
      notes: [
        `organization sweep: ${dispatched} targets in ${batchCalls} SendMessageBatch calls; one target: ${revokeCalls} revoke calls, ${publishCalls} summary, ${failures} batch item failures (stubbed clients: add the services' own latency)`,
      ],
    };
  } finally {
    sqs.restore();
    ec2.restore();
    sns.restore();
  }
}
