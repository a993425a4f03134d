/**
 * The central module with the organization inputs applied against the emulator: an organization
 * of two accounts (the central one, its management account, and a workload account in an OU),
 * StackSets on that OU, the sweep over every ACTIVE account in two regions, a policy that names
 * who may grant an exception. What the bus, the
 * queues, the consumer mapping and the StackSet instances left in the member account are read
 * back; then the built function, with the environment the module gave it, sweeps the
 * organization through the sweep queue the module created.
 */
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribeEventBusCommand, EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { TestAccount } from './support/account';
import { scheduledEvent, sqsEventOf } from './support/events';
import { integrationSuite } from './support/suite';
import { applyOnEmulator, emulatorProvider } from './support/terraform-provider';

const HOME = 'eu-west-1';
const REGIONS = [HOME, 'us-east-1'];
/**
 * An inline policy as GetRolePolicy answers it: URL-encoded JSON from AWS; moto answers a role a
 * StackSet created with the document as Python prints it (single quotes, `None` where
 * CloudFormation dropped a statement), which is read here as the JSON it stands for.
 */
function inlinePolicy(text: string): { Statement: Array<Record<string, any> | null> } {
  const decoded = decodeURIComponent(text);
  try {
    return JSON.parse(decoded);
  } catch {
    return JSON.parse(
      decoded
        .replace(/'/g, '"')
        .replace(/\bNone\b/g, 'null')
        .replace(/\bTrue\b/g, 'true')
        .replace(/\bFalse\b/g, 'false'),
    );
  }
}

const world = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });

integrationSuite('the Terraform module for an organization applied to the emulator', (emulator) => {
  let central: TestAccount;
  let member: TestAccount;
  let organizationId: string;
  const regional = (account: TestAccount, region: string) => ({ ...account.config, region });

  before(async function () {
    // An organization, then terraform init and an apply that waits for two StackSet operations.
    this.timeout(900_000);
    // Prepare: the central account creates the organization and a workload account in an OU.
    central = await emulator.freshAccount({ region: HOME });
    const organizations = new OrganizationsClient(regional(central, 'us-east-1'));
    organizationId = (await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
    const rootId = (await organizations.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ouId = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'workloads' })))
      .OrganizationalUnit!.Id!;
    const created = await organizations.send(new CreateAccountCommand({ AccountName: 'workload', Email: 'workload@example.com' }));
    const memberId = created.CreateAccountStatus!.AccountId!;
    await organizations.send(new MoveAccountCommand({ AccountId: memberId, SourceParentId: rootId, DestinationParentId: ouId }));
    member = await emulator.account(memberId, { region: HOME });

    // Act
    await applyOnEmulator(
      'apply-organization',
      central,
      `${emulatorProvider(central, HOME)}
module "sg_sentry" {
  source                         = "../../terraform/sg-sentry"
  name                           = "sg-sentry"
  organization_id                = "${organizationId}"
  member_organizational_unit_ids = ["${ouId}"]
  member_regions                 = ${JSON.stringify(REGIONS)}
  sweep_accounts                 = ["organization"]
  sweep_regions                  = ${JSON.stringify(REGIONS)}
  stackset_call_as               = "SELF"
  policy                         = jsonencode({ exception_approvers = ["arn:aws:iam::*:role/security-approver"] })
}
`,
    );
  });

  it('creates the central bus open only to the organization, with its rule invoking the function', async () => {
    // Act
    const events = new EventBridgeClient(regional(central, HOME));
    const bus = await events.send(new DescribeEventBusCommand({ Name: 'sg-sentry' }));
    const rules = (await events.send(new ListRulesCommand({ EventBusName: 'sg-sentry' }))).Rules!;
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rules[0]!.Name!, EventBusName: 'sg-sentry' }));
    const fn = await new LambdaClient(regional(central, HOME)).send(new GetFunctionConfigurationCommand({ FunctionName: 'sg-sentry' }));

    // Assess
    const statements = JSON.parse(bus.Policy!).Statement as Array<Record<string, any>>;
    expect(statements).to.have.lengthOf(1);
    expect(statements[0]).to.deep.include({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
    });
    expect(rules).to.have.lengthOf(1);
    expect(targets.Targets!.map((t) => t.Arn)).to.deep.equal([fn.FunctionArn]);
  });

  it('creates the sweep queue with its dead-letter queue after three receives, consumed by the function with ReportBatchItemFailures', async () => {
    // Act
    const queueUrl = (await central.sqs.send(new GetQueueUrlCommand({ QueueName: 'sg-sentry-sweep' }))).QueueUrl!;
    const attributes = (await central.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes!;
    const lambda = new LambdaClient(regional(central, HOME));
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'sg-sentry' }));
    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn.FunctionArn }))).EventSourceMappings!;

    // Assess
    expect(JSON.parse(attributes.RedrivePolicy!)).to.deep.include({
      deadLetterTargetArn: `arn:aws:sqs:${HOME}:${central.accountId}:sg-sentry-sweep-dlq`,
      maxReceiveCount: 3,
    });
    expect(mappings.map((m) => ({ source: m.EventSourceArn, batch: m.BatchSize, responses: m.FunctionResponseTypes }))).to.deep.equal([
      { source: attributes.QueueArn, batch: 10, responses: ['ReportBatchItemFailures'] },
    ]);
    const env = fn.Environment!.Variables!;
    expect(env.SENTRY_SWEEP_QUEUE_URL).to.match(new RegExp(`/${central.accountId}/sg-sentry-sweep$`));
    expect(JSON.parse(env.SENTRY_SWEEP_ACCOUNTS!)).to.deep.equal(['organization']);
    expect(JSON.parse(env.SENTRY_SWEEP_REGIONS!)).to.deep.equal(REGIONS);
    expect(env.SENTRY_MEMBER_ROLE_NAME).to.equal('sg-sentry-member');
  });

  it('deploys the member role, trusting only the central function role, and a forwarder in each member region, through the StackSets', async () => {
    // Act
    const role = (await member.client(IAMClient).send(new GetRoleCommand({ RoleName: 'sg-sentry-member' }))).Role!;
    const forwarders = await Promise.all(
      REGIONS.map(async (region) => {
        const events = new EventBridgeClient(regional(member, region));
        const rules = (await events.send(new ListRulesCommand({}))).Rules!;
        return Promise.all(
          rules.map(async (r) => (await events.send(new ListTargetsByRuleCommand({ Rule: r.Name! }))).Targets!.map((t) => t.Arn)),
        );
      }),
    );
    const fn = await new LambdaClient(regional(central, HOME)).send(new GetFunctionConfigurationCommand({ FunctionName: 'sg-sentry' }));

    // Assess
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement as Array<Record<string, any>>;
    expect(trust.map((s) => s.Principal)).to.deep.equal([{ AWS: fn.Role }]);
    const bus = `arn:aws:events:${HOME}:${central.accountId}:event-bus/sg-sentry`;
    expect(forwarders).to.deep.equal([[[bus]], [[bus]]]);
  });

  it("gives the member role DeleteTags for the policy's exception tag alone, through the StackSet parameter", async () => {
    // Act
    const policy = await member.client(IAMClient).send(new GetRolePolicyCommand({ RoleName: 'sg-sentry-member', PolicyName: 'sg-sentry' }));

    // Assess
    const statements = inlinePolicy(policy.PolicyDocument!).Statement;
    const removal = statements.find((s) => s?.Sid === 'RemoveUnapprovedExceptionTags');
    expect(removal).to.deep.include({
      Effect: 'Allow',
      Action: 'ec2:DeleteTags',
      Resource: `arn:aws:ec2:*:${member.accountId}:security-group/*`,
    });
    expect(removal?.Condition).to.deep.include({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['sg-sentry:exempt-until'] },
      Null: { 'aws:TagKeys': ['false'] },
    });
  });

  it('sweeps every account of the organization in both regions through the sweep queue, with the environment the module set', async function () {
    this.timeout(180_000);
    // Prepare: a world-open SSH rule in each account and region; the deployed environment,
    // with the emulator's URL of the same queue (the SDK sends to a queue URL's own host).
    const groups: Array<[TestAccount, string]> = [];
    for (const account of [central, member]) {
      for (const region of REGIONS) {
        const here = account.inRegion(region);
        const group = await here.createGroup('web');
        await here.authorize(group, 'ingress', [world(22), world(443)]);
        groups.push([here, group]);
      }
    }
    const lambda = new LambdaClient(regional(central, HOME));
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'sg-sentry' }));
    const queueUrl = (await central.sqs.send(new GetQueueUrlCommand({ QueueName: 'sg-sentry-sweep' }))).QueueUrl!;
    const env = { ...fn.Environment!.Variables!, SENTRY_SWEEP_QUEUE_URL: queueUrl };
    // moto would run the function in Docker for each message sent; the test plays Lambda's part.
    for (const mapping of (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn.FunctionArn }))).EventSourceMappings!) {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID!, Enabled: false }));
    }

    // Act
    const dispatch = await central.runHandler(scheduledEvent(central), env);
    const batch = await sqsEventOf(central, queueUrl);
    const consume = await central.runHandler(batch, env);

    // Assess
    expect(dispatch.thrown, JSON.stringify(dispatch.logs)).to.equal(undefined);
    expect(dispatch.result).to.include({ status: 'dispatched', targets: 4 });
    expect(consume.thrown, JSON.stringify(consume.logs)).to.equal(undefined);
    expect(consume.result).to.deep.equal({ batchItemFailures: [] });
    for (const [here, group] of groups) {
      expect(await here.ruleLines(group), `${here.accountId} ${here.region}`).to.deep.equal([
        'egress -1 0.0.0.0/0',
        'ingress tcp 443-443 0.0.0.0/0',
      ]);
    }
  });
});
