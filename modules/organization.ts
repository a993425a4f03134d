/**
 * The central side of an organization deployment (with `organization_id`): the custom event bus
 * that member accounts forward to, open to principals of the organization only, and the sweep
 * queue through which the scheduled sweep fans out, one message per account and region, to as
 * many concurrent invocations as Lambda's SQS polling runs. The member side is in
 * member-pieces.ts.
 */
import { Fn, ITerraformDependable, Token, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { securityGroupChangeEventPattern } from './event-pattern';
import { EVENT_BUS_PERMISSIONS, policyDocument } from './permissions';
import { Condition, choose, singleInstance, times } from './terraform-values';

/** One record per invocation's worth of work: each names one target, at most ten per batch. */
export const SWEEP_BATCH_SIZE = 10;
/** Receives before a sweep job goes to its dead-letter queue. */
export const SWEEP_MAX_RECEIVE_COUNT = 3;
/** A job older than a day has been superseded by later sweeps. */
export const SWEEP_MESSAGE_RETENTION_S = 24 * 3600;

export interface SweepQueueProps {
  /** The queue's name; its dead-letter queue is `<name>-dlq`. */
  readonly name: string;
  readonly count: number;
  /** The key of the module's other queue (null: SQS-managed encryption). */
  readonly kmsMasterKeyId: string | undefined;
  readonly usesKey: Condition;
  readonly lambdaTimeoutS: number;
  readonly tags?: { [key: string]: string };
  readonly dependsOn: ITerraformDependable[];
}

export function createSweepQueue(scope: Construct, props: SweepQueueProps): { queue: SqsQueue; deadLetterQueue: SqsQueue } {
  const common = {
    count: props.count,
    kmsMasterKeyId: props.kmsMasterKeyId,
    // Unset (not false) when a key is used: the provider rejects both settings at once.
    sqsManagedSseEnabled: choose<boolean | undefined>(props.usesKey, undefined, true),
    tags: props.tags,
    dependsOn: props.dependsOn,
  };
  const deadLetterQueue = new SqsQueue(scope, 'sweep_dead_letter_queue', {
    ...common,
    name: `${props.name}-dlq`,
    messageRetentionSeconds: 14 * 24 * 3600,
  });
  const queue = new SqsQueue(scope, 'sweep_queue', {
    ...common,
    name: props.name,
    // Lambda's advice for a queue it polls: six times the function's timeout.
    visibilityTimeoutSeconds: times(props.lambdaTimeoutS, 6),
    messageRetentionSeconds: SWEEP_MESSAGE_RETENTION_S,
    redrivePolicy: Fn.jsonencode({ deadLetterTargetArn: singleInstance(deadLetterQueue, 'arn'), maxReceiveCount: SWEEP_MAX_RECEIVE_COUNT }),
  });
  return { queue, deadLetterQueue };
}

export function createSweepConsumer(
  scope: Construct,
  props: { readonly count: number; readonly queue: SqsQueue; readonly functionArn: string; readonly dependsOn: ITerraformDependable[] },
): LambdaEventSourceMapping {
  return new LambdaEventSourceMapping(scope, 'sweep_queue_consumer', {
    count: props.count,
    eventSourceArn: singleInstance(props.queue, 'arn'),
    functionName: props.functionArn,
    batchSize: SWEEP_BATCH_SIZE,
    // Only the records that failed retryably come back; the others are done.
    functionResponseTypes: ['ReportBatchItemFailures'],
    // Lambda checks at creation that the role may read the queue.
    dependsOn: props.dependsOn,
  });
}

export interface CentralEventBusProps {
  /** The bus's name. */
  readonly name: string;
  readonly ruleName: string;
  readonly count: number;
  readonly organizationId: string;
  /** Built from the name: the policy document is read even where the bus has count 0. */
  readonly busArn: string;
  readonly tags?: { [key: string]: string };
  readonly dependsOn: ITerraformDependable[];
}

/** The bus member accounts forward to, its organization-only policy, and the rule on it. */
export function createCentralEventBus(
  scope: Construct,
  props: CentralEventBusProps,
): { bus: CloudwatchEventBus; rule: CloudwatchEventRule } {
  const bus = new CloudwatchEventBus(scope, 'organization_event_bus', {
    count: props.count,
    name: props.name,
    tags: props.tags,
    dependsOn: props.dependsOn,
  });
  const busName = singleInstance(bus, 'name');
  const access = policyDocument(scope, 'organization_event_bus_policy_document', EVENT_BUS_PERMISSIONS, {
    busArn: props.busArn,
    organizationId: props.organizationId,
  });
  // Read only with an organization: without one, its id is null, which a policy cannot hold.
  access.count = props.count;
  new CloudwatchEventBusPolicy(scope, 'organization_event_bus_policy', {
    count: props.count,
    eventBusName: busName,
    policy: Token.asString(Fn.one(propertyAccess(access, ['*', 'json']))),
  });
  const rule = new CloudwatchEventRule(scope, 'organization_security_group_changes', {
    count: props.count,
    name: props.ruleName,
    description: 'sg-sentry: security-group rule changes forwarded by the member accounts of the organization',
    eventBusName: busName,
    eventPattern: JSON.stringify(securityGroupChangeEventPattern()),
    tags: props.tags,
  });
  return { bus, rule };
}
