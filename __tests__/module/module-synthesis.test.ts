import { expect } from 'chai';
import { ENV } from '../../function/core/env-names';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EC2_EVENT_SOURCE,
  EVENTBRIDGE_EC2_SOURCE,
  TAG_EVENT_NAMES,
  WATCHED_EVENT_NAMES,
} from '../../function/core/event/watched-events';
import { version as VERSION } from '../../package.json';
import { TerraformJson } from '../../modules/synthesize-module';
import { dataSource, resource, resourceAddresses, synthesizedWorkspace } from './support/workspace';

const IN_SERVED_REGIONS = [
  {
    test: 'StringEquals',
    variable: 'aws:RequestedRegion',
    values: '${distinct(concat([local.region], var.member_regions, var.sweep_regions))}',
  },
];
const SWEEP_QUEUE_ARN = 'arn:${local.partition}:sqs:${local.region}:${local.account_id}:${var.name}-sweep';
const SECURITY_GROUP_ARNS = [
  'arn:${local.partition}:ec2:*:${local.account_id}:security-group/*',
  'arn:${local.partition}:ec2:*:${local.account_id}:security-group-rule/*',
];
const SLACK_PARAMETER_ARN =
  'arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(var.slack_webhook_ssm_parameter, "/")}';
const TOPIC_ARN = '${var.create_sns_topic ? local.created_topic_arn : var.sns_topic_arn}';
const ROLE_ARN = '${!(var.existing_role_arn != null) ? local.created_role_arn : var.existing_role_arn}';
const CREATES_KEY = '(var.create_kms_key && !(var.kms_key_arn != null))';
const POLICY_MODE = 'try(lookup(jsondecode(var.policy), "mode", "enforce"), "enforce")';
const POLICY_ACTION = 'try(lookup(jsondecode(var.policy), "action", "revoke"), "revoke")';
const EXCEPTION_TAG = 'try(coalesce(lookup(jsondecode(var.policy), "exception_tag", "sg-sentry:exempt-until"), ""), "")';
const HAS_APPROVERS = 'length(try(lookup(jsondecode(var.policy), "exception_approvers", []), [])) >= 1';
const POLICY_INSPECTS_LISTS = 'try(tostring(lookup(jsondecode(var.policy), "inspect_prefix_lists", true)), "true")';

describe('terraform module (synthesized)', () => {
  let module: TerraformJson;

  before(() => {
    // Act (shared): one synthesis for every assertion below.
    module = synthesizedWorkspace().module;
  });

  it('matches the watched CloudTrail calls, generated from WATCHED_EVENT_NAMES, tag calls only on security groups, and excludes failed calls', () => {
    // Act
    const rule = resource(module, 'aws_cloudwatch_event_rule', 'security_group_changes');

    // Assess
    const pattern = JSON.parse(rule.event_pattern as string);
    const tagNames: readonly string[] = TAG_EVENT_NAMES;
    expect(pattern).to.deep.equal({
      source: [EVENTBRIDGE_EC2_SOURCE],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: {
        eventSource: [EC2_EVENT_SOURCE],
        errorCode: [{ exists: false }],
        $or: [
          { eventName: WATCHED_EVENT_NAMES.filter((name) => !tagNames.includes(name)) },
          { eventName: ['CreateTags', 'DeleteTags'], requestParameters: { resourcesSet: { items: { resourceId: [{ prefix: 'sg-' }] } } } },
        ],
      },
    });
    expect(pattern.detail.$or[0].eventName).to.include.members([
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'ModifySecurityGroupRules',
      'CreateSecurityGroup',
    ]);
  });

  it('is a child module: no provider, no backend, required_providers hashicorp/aws covering 5.100 and 6.x', () => {
    // Assess
    expect(module).not.to.have.property('provider');
    expect(module.terraform).to.deep.equal({
      required_version: '>= 1.5.0',
      required_providers: { aws: { source: 'hashicorp/aws', version: '>= 5.100, < 7.0' } },
    });
    expect(JSON.stringify(module)).not.to.match(/backend|cdktf|\/\/"/);
  });

  it('creates exactly the documented resources, with readable addresses', () => {
    // Assess
    expect(resourceAddresses(module)).to.deep.equal([
      'aws_chatbot_slack_channel_configuration.chat_slack_channel',
      'aws_chatbot_teams_channel_configuration.chat_teams_channel',
      'aws_cloudformation_stack_set.member_forwarders',
      'aws_cloudformation_stack_set.member_roles',
      'aws_cloudformation_stack_set_instance.member_forwarders_instance',
      'aws_cloudformation_stack_set_instance.member_roles_instance',
      'aws_cloudwatch_dashboard.dashboard',
      'aws_cloudwatch_event_bus.organization_event_bus',
      'aws_cloudwatch_event_bus_policy.organization_event_bus_policy',
      'aws_cloudwatch_event_rule.organization_security_group_changes',
      'aws_cloudwatch_event_rule.security_group_changes',
      'aws_cloudwatch_event_rule.sweep',
      'aws_cloudwatch_event_target.organization_security_group_changes_target',
      'aws_cloudwatch_event_target.security_group_changes_target',
      'aws_cloudwatch_event_target.sweep_target',
      'aws_cloudwatch_log_group.log_group',
      'aws_cloudwatch_log_metric_filter.could_not_check_filter',
      'aws_cloudwatch_metric_alarm.could_not_check_alarm',
      'aws_cloudwatch_metric_alarm.dead_letter_queue_alarm',
      'aws_cloudwatch_metric_alarm.failed_alarm',
      'aws_cloudwatch_metric_alarm.function_errors_alarm',
      'aws_cloudwatch_metric_alarm.sweep_dead_letter_queue_alarm',
      'aws_dynamodb_table.state_table',
      'aws_iam_role.chat_role',
      'aws_iam_role.role',
      'aws_iam_role_policy.role_policy',
      'aws_kms_alias.key_alias',
      'aws_kms_key.key',
      'aws_lambda_event_source_mapping.sweep_queue_consumer',
      'aws_lambda_function.function',
      'aws_lambda_function_event_invoke_config.function_async_config',
      'aws_lambda_permission.organization_security_group_changes_permission',
      'aws_lambda_permission.security_group_changes_permission',
      'aws_lambda_permission.sweep_permission',
      'aws_sns_topic.chat_topic',
      'aws_sns_topic.topic',
      'aws_sns_topic_policy.chat_topic_policy',
      'aws_sns_topic_policy.topic_policy',
      'aws_sns_topic_subscription.email_subscription',
      'aws_sqs_queue.dead_letter_queue',
      'aws_sqs_queue.sweep_dead_letter_queue',
      'aws_sqs_queue.sweep_queue',
      'aws_sqs_queue_policy.dead_letter_queue_policy',
    ]);
    expect(Object.keys(module.data as object).sort()).to.deep.equal([
      'aws_caller_identity',
      'aws_iam_policy_document',
      'aws_partition',
      'aws_region',
    ]);
  });

  it('runs the bundled handler on the configured runtime and architecture, from the archive in the module', () => {
    // Act
    const fn = resource(module, 'aws_lambda_function', 'function');

    // Assess
    expect(fn).to.include({
      function_name: '${var.name}',
      handler: 'index.handler',
      runtime: '${var.lambda_runtime}',
      memory_size: '${var.lambda_memory_mb}',
      timeout: '${var.lambda_timeout_s}',
      role: '${!(var.existing_role_arn != null) ? one(aws_iam_role.role[*].arn) : var.existing_role_arn}',
      reserved_concurrent_executions: '${coalesce(var.reserved_concurrency, -1)}',
      filename: '${path.module}/assets/function.zip',
      source_code_hash: '${filebase64sha256("${path.module}/assets/function.zip")}',
    });
    expect(fn.architectures).to.deep.equal(['${var.lambda_architecture}']);
    expect(fn.depends_on).to.deep.equal(['aws_cloudwatch_log_group.log_group', 'aws_iam_role_policy.role_policy']);
  });

  it("sets the function's environment: topic and own role always, the others only when their inputs are given", () => {
    // Act
    const variables = (resource(module, 'aws_lambda_function', 'function').environment as { variables: string }).variables;

    // Assess
    expect(variables).to.equal(
      '${merge(' +
        `{"${ENV.topicArn}" = ${TOPIC_ARN.slice(2, -1)}, "${ENV.selfRoleArn}" = ${ROLE_ARN.slice(2, -1)}}, ` +
        `(var.policy != null) ? {"${ENV.policy}" = jsonencode(jsondecode(var.policy))} : {}, ` +
        `(var.slack_webhook_ssm_parameter != null) ? {"${ENV.slackWebhookParam}" = var.slack_webhook_ssm_parameter} : {}, ` +
        `var.create_state_table ? {"${ENV.stateTable}" = "\${var.name}-state"} : {}, ` +
        `(var.organization_id != null) ? {"${ENV.memberRoleName}" = var.member_role_name} : {}, ` +
        `(var.organization_id != null) ? {"${ENV.sweepQueueUrl}" = "https://sqs.\${local.region}.\${data.aws_partition.current.dns_suffix}/\${local.account_id}/\${var.name}-sweep"} : {}, ` +
        `(length(var.sweep_accounts) >= 1) ? {"${ENV.sweepAccounts}" = jsonencode(var.sweep_accounts)} : {}, ` +
        `(length(var.sweep_regions) >= 1) ? {"${ENV.sweepRegions}" = jsonencode(var.sweep_regions)} : {}, ` +
        `var.security_hub ? {"${ENV.securityHub}" = "true"} : {}, ` +
        `((length(var.chat_slack_channels) + length(var.chat_teams_channels)) >= 1) ? {"${ENV.chatTopicArn}" = "arn:\${local.partition}:sns:\${local.region}:\${local.account_id}:\${var.name}-chat"} : {}` +
        ')}',
    );
  });

  it('grants the role exactly the statements it needs, the optional ones only under their condition', () => {
    // Act
    const document = dataSource(module, 'aws_iam_policy_document', 'role_policy_document') as {
      statement: unknown[];
      dynamic: { statement: unknown[] };
    };

    // Assess
    expect(document.statement).to.deep.equal([
      {
        sid: 'ReadSecurityGroups',
        effect: 'Allow',
        actions: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      },
      {
        sid: 'WriteOwnLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name}:*'],
      },
      { sid: 'PublishNotifications', effect: 'Allow', actions: ['sns:Publish'], resources: [TOPIC_ARN] },
      {
        sid: 'SendFailedEventsToDeadLetterQueue',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: ['arn:${local.partition}:sqs:${local.region}:${local.account_id}:${var.name}-dlq'],
      },
    ]);
    expect(document.dynamic.statement).to.deep.equal([
      {
        for_each: `\${!(${POLICY_MODE} == "report") ? ["RevokeSecurityGroupRules"] : []}`,
        content: {
          sid: 'RevokeSecurityGroupRules',
          effect: 'Allow',
          actions: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
          resources: SECURITY_GROUP_ARNS,
          condition: IN_SERVED_REGIONS,
        },
      },
      {
        for_each: `\${(!(${POLICY_MODE} == "report") && (${POLICY_ACTION} == "restrict")) ? ["AuthorizeRestrictedReplacementRules"] : []}`,
        content: {
          sid: 'AuthorizeRestrictedReplacementRules',
          effect: 'Allow',
          actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress'],
          resources: SECURITY_GROUP_ARNS,
          condition: IN_SERVED_REGIONS,
        },
      },
      {
        for_each: `\${!(${POLICY_INSPECTS_LISTS} == "false") ? ["ReadManagedPrefixLists"] : []}`,
        content: {
          sid: 'ReadManagedPrefixLists',
          effect: 'Allow',
          actions: ['ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'],
          resources: ['*'],
        },
      },
      {
        for_each: `\${(!(${POLICY_MODE} == "report") && !(${POLICY_INSPECTS_LISTS} == "false")) ? ["RemoveOffendingPrefixListEntries"] : []}`,
        content: {
          sid: 'RemoveOffendingPrefixListEntries',
          effect: 'Allow',
          actions: ['ec2:ModifyManagedPrefixList'],
          resources: ['arn:${local.partition}:ec2:*:${local.account_id}:prefix-list/*'],
          condition: IN_SERVED_REGIONS,
        },
      },
      {
        for_each: '${var.security_hub ? ["ImportSecurityHubFindings"] : []}',
        content: {
          sid: 'ImportSecurityHubFindings',
          effect: 'Allow',
          actions: ['securityhub:BatchImportFindings'],
          resources: ['arn:${local.partition}:securityhub:*:${local.account_id}:product/${local.account_id}/default'],
          condition: IN_SERVED_REGIONS,
        },
      },
      {
        for_each: `\${(!(${POLICY_MODE} == "report") && ((length(compact([${EXCEPTION_TAG}])) >= 1) && (${HAS_APPROVERS}))) ? ["RemoveUnapprovedExceptionTags"] : []}`,
        content: {
          sid: 'RemoveUnapprovedExceptionTags',
          effect: 'Allow',
          actions: ['ec2:DeleteTags'],
          resources: ['arn:${local.partition}:ec2:*:${local.account_id}:security-group/*'],
          condition: [
            { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: [`\${${EXCEPTION_TAG}}`] },
            { test: 'Null', variable: 'aws:TagKeys', values: ['false'] },
            IN_SERVED_REGIONS[0],
          ],
        },
      },
      {
        for_each: '${((length(var.chat_slack_channels) + length(var.chat_teams_channels)) >= 1) ? ["PublishChatNotifications"] : []}',
        content: {
          sid: 'PublishChatNotifications',
          effect: 'Allow',
          actions: ['sns:Publish'],
          resources: ['arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.name}-chat'],
        },
      },
      {
        for_each: '${(var.kms_key_arn != null) ? ["UseKeyOfTopicAndQueue"] : []}',
        content: {
          sid: 'UseKeyOfTopicAndQueue',
          effect: 'Allow',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['${var.kms_key_arn}'],
          condition: [
            {
              test: 'StringEquals',
              variable: 'kms:ViaService',
              values: ['sns.${local.region}.amazonaws.com', 'sqs.${local.region}.amazonaws.com'],
            },
          ],
        },
      },
      {
        for_each: `\${${CREATES_KEY} ? ["UseModuleKeyOfTopicAndQueue"] : []}`,
        content: {
          sid: 'UseModuleKeyOfTopicAndQueue',
          effect: 'Allow',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*'],
          condition: [
            {
              test: 'StringEquals',
              variable: 'kms:ViaService',
              values: ['sns.${local.region}.amazonaws.com', 'sqs.${local.region}.amazonaws.com'],
            },
            { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: ['alias/${var.name}'] },
          ],
        },
      },
      {
        for_each: '${var.create_state_table ? ["RememberExemptionsInStateTable"] : []}',
        content: {
          sid: 'RememberExemptionsInStateTable',
          effect: 'Allow',
          actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
          resources: ['arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.name}-state'],
        },
      },
      {
        for_each: '${var.create_state_table ? ["SendEachNotificationOnce"] : []}',
        content: {
          sid: 'SendEachNotificationOnce',
          effect: 'Allow',
          actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: ['arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.name}-state'],
        },
      },
      {
        for_each: '${(var.create_state_table && (var.kms_key_arn != null)) ? ["UseKeyOfStateTable"] : []}',
        content: {
          sid: 'UseKeyOfStateTable',
          effect: 'Allow',
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['${var.kms_key_arn}'],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['dynamodb.${local.region}.amazonaws.com'] }],
        },
      },
      {
        for_each: `\${(var.create_state_table && ${CREATES_KEY}) ? ["UseModuleKeyOfStateTable"] : []}`,
        content: {
          sid: 'UseModuleKeyOfStateTable',
          effect: 'Allow',
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*'],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: ['dynamodb.${local.region}.amazonaws.com'] },
            { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: ['alias/${var.name}'] },
          ],
        },
      },
      {
        for_each: '${(var.slack_webhook_ssm_parameter != null) ? ["ReadSlackWebhookParameter"] : []}',
        content: { sid: 'ReadSlackWebhookParameter', effect: 'Allow', actions: ['ssm:GetParameter'], resources: [SLACK_PARAMETER_ARN] },
      },
      {
        for_each: '${(var.slack_webhook_ssm_parameter != null) ? ["DecryptSlackWebhookParameter"] : []}',
        content: {
          sid: 'DecryptSlackWebhookParameter',
          effect: 'Allow',
          actions: ['kms:Decrypt'],
          resources: ['arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*'],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: ['ssm.${local.region}.amazonaws.com'] },
            { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [SLACK_PARAMETER_ARN] },
          ],
        },
      },
      {
        for_each: '${(var.organization_id != null) ? ["AssumeMemberRoles"] : []}',
        content: {
          sid: 'AssumeMemberRoles',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          resources: ['arn:${local.partition}:iam::*:role/${var.member_role_name}'],
          condition: [{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: ['${var.organization_id}'] }],
        },
      },
      {
        for_each: '${(var.organization_id != null) ? ["DispatchSweepTargets"] : []}',
        content: { sid: 'DispatchSweepTargets', effect: 'Allow', actions: ['sqs:SendMessage'], resources: [SWEEP_QUEUE_ARN] },
      },
      {
        for_each: '${(var.organization_id != null) ? ["ConsumeSweepQueue"] : []}',
        content: {
          sid: 'ConsumeSweepQueue',
          effect: 'Allow',
          actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
          resources: [SWEEP_QUEUE_ARN],
        },
      },
      {
        for_each:
          '${((var.organization_id != null) && (join(",", var.sweep_accounts) == "organization")) ? ["ListOrganizationAccounts"] : []}',
        content: { sid: 'ListOrganizationAccounts', effect: 'Allow', actions: ['organizations:ListAccounts'], resources: ['*'] },
      },
    ]);
    expect(resource(module, 'aws_iam_role_policy', 'role_policy')).to.include({
      count: '${!(var.existing_role_arn != null) ? 1 : 0}',
      role: '${one(aws_iam_role.role[*].id)}',
      policy: '${data.aws_iam_policy_document.role_policy_document.json}',
    });
  });

  it('builds every ARN from names and data sources read at plan, none from attributes known only after apply', () => {
    // Assess
    expect(module.locals).to.deep.equal({
      partition: '${data.aws_partition.current.partition}',
      region: '${data.aws_region.current.id}',
      account_id: '${data.aws_caller_identity.current.account_id}',
      created_role_arn: 'arn:${local.partition}:iam::${local.account_id}:role${var.role_path}${var.name}-${local.region}',
      created_topic_arn: 'arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.name}',
    });
    const document = JSON.stringify(dataSource(module, 'aws_iam_policy_document', 'role_policy_document'));
    expect(document).not.to.match(/aws_(?!iam_policy_document)[a-z_]+\.[a-z_]+\.(arn|id|name)/);
  });

  it('names the role after the name and the region, under role_path, with the permissions boundary, unless a role is given', () => {
    // Act
    const role = resource(module, 'aws_iam_role', 'role');

    // Assess
    expect(role).to.include({
      count: '${!(var.existing_role_arn != null) ? 1 : 0}',
      name: '${var.name}-${local.region}',
      path: '${var.role_path}',
      permissions_boundary: '${var.role_permissions_boundary_arn}',
    });
  });

  it('creates a key with rotation and an alias unless a key is given or create_kms_key is false', () => {
    // Act
    const key = resource(module, 'aws_kms_key', 'key');
    const alias = resource(module, 'aws_kms_alias', 'key_alias');

    // Assess
    const count = '${var.create_kms_key ? (var.kms_key_arn != null) ? 0 : 1 : 0}';
    expect(key).to.include({ count, enable_key_rotation: true, policy: '${data.aws_iam_policy_document.key_policy_document.json}' });
    expect(alias).to.include({ count, name: 'alias/${var.name}', target_key_id: '${one(aws_kms_key.key[*].key_id)}' });
  });

  it("gives a created topic an explicit policy: the function's role, this module's alarms and rules, TLS only", () => {
    // Act
    const policy = resource(module, 'aws_sns_topic_policy', 'topic_policy');
    const document = dataSource(module, 'aws_iam_policy_document', 'topic_policy_document') as {
      statement: Array<Record<string, unknown>>;
    };

    // Assess
    expect(policy).to.include({ count: '${var.create_sns_topic ? 1 : 0}', arn: '${one(aws_sns_topic.topic[*].arn)}' });
    expect(document.statement.map((st) => [st.sid, st.effect, st.principals])).to.deep.equal([
      ['PublishFromTheFunction', 'Allow', [{ type: 'AWS', identifiers: [ROLE_ARN] }]],
      ['PublishModuleAlarms', 'Allow', [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }]],
      ['PublishFromModuleRules', 'Allow', [{ type: 'Service', identifiers: ['events.amazonaws.com'] }]],
      ['DenyPublishWithoutTls', 'Deny', [{ type: 'AWS', identifiers: ['*'] }]],
    ]);
  });

  it('lets only the Lambda service assume the role', () => {
    // Act
    const role = resource(module, 'aws_iam_role', 'role');

    // Assess
    expect(JSON.parse(role.assume_role_policy as string)).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  it('delivers rule events with retries and a dead-letter queue, and permits only those rules to invoke', () => {
    // Act
    const eventTarget = resource(module, 'aws_cloudwatch_event_target', 'security_group_changes_target');
    const sweepTarget = resource(module, 'aws_cloudwatch_event_target', 'sweep_target');
    const eventPermission = resource(module, 'aws_lambda_permission', 'security_group_changes_permission');
    const sweepPermission = resource(module, 'aws_lambda_permission', 'sweep_permission');

    // Assess
    for (const target of [eventTarget, sweepTarget]) {
      expect(target).to.deep.include({
        arn: '${aws_lambda_function.function.arn}',
        retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 185 },
        dead_letter_config: { arn: '${aws_sqs_queue.dead_letter_queue.arn}' },
      });
    }
    expect(eventTarget.rule).to.equal('${aws_cloudwatch_event_rule.security_group_changes.name}');
    expect(sweepTarget.rule).to.equal('${one(aws_cloudwatch_event_rule.sweep[*].name)}');
    expect(eventPermission).to.include({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      source_arn: '${aws_cloudwatch_event_rule.security_group_changes.arn}',
    });
    expect(sweepPermission).to.include({ principal: 'events.amazonaws.com', source_arn: '${one(aws_cloudwatch_event_rule.sweep[*].arn)}' });
    expect(eventPermission.statement_id).not.to.equal(sweepPermission.statement_id);
  });

  it('retries failed invocations in Lambda, then sends them to the dead-letter queue', () => {
    // Act
    const config = resource(module, 'aws_lambda_function_event_invoke_config', 'function_async_config');

    // Assess
    expect(config).to.deep.include({
      function_name: '${aws_lambda_function.function.function_name}',
      maximum_retry_attempts: '${var.maximum_retry_attempts}',
      maximum_event_age_in_seconds: 3600,
      destination_config: { on_failure: { destination: '${aws_sqs_queue.dead_letter_queue.arn}' } },
    });
  });

  it('runs the sweep on sweep_schedule and drops it entirely when the schedule is null', () => {
    // Assess
    const count = '${(var.sweep_schedule != null) ? 1 : 0}';
    expect(resource(module, 'aws_cloudwatch_event_rule', 'sweep')).to.include({ count, schedule_expression: '${var.sweep_schedule}' });
    expect(resource(module, 'aws_cloudwatch_event_target', 'sweep_target')).to.include({ count });
    expect(resource(module, 'aws_lambda_permission', 'sweep_permission')).to.include({ count });
    expect((module.variable as Record<string, { default: unknown }>).sweep_schedule?.default).to.equal('rate(1 hour)');
  });

  it('encrypts the topic with kms_key_arn or the AWS-managed key, and subscribes one email each', () => {
    // Act
    const topic = resource(module, 'aws_sns_topic', 'topic');
    const subscription = resource(module, 'aws_sns_topic_subscription', 'email_subscription');

    // Assess
    expect(topic).to.include({
      count: '${var.create_sns_topic ? 1 : 0}',
      kms_master_key_id: `\${coalesce((var.kms_key_arn != null) ? var.kms_key_arn : ${CREATES_KEY} ? one(aws_kms_alias.key_alias[*].name) : null, "alias/aws/sns")}`,
    });
    expect(subscription).to.include({
      for_each: '${toset(var.notification_emails)}',
      protocol: 'email',
      endpoint: '${each.value}',
      topic_arn: TOPIC_ARN,
    });
  });

  it("encrypts the dead-letter queue and lets only the module's rules send to it", () => {
    // Act
    const queue = resource(module, 'aws_sqs_queue', 'dead_letter_queue');
    const sweepQueues = ['sweep_queue', 'sweep_dead_letter_queue'].map((name) => resource(module, 'aws_sqs_queue', name));
    const access = dataSource(module, 'aws_iam_policy_document', 'dead_letter_queue_policy_document');

    // Assess
    expect(queue).to.include({
      kms_master_key_id: `\${(var.kms_key_arn != null) ? var.kms_key_arn : ${CREATES_KEY} ? one(aws_kms_alias.key_alias[*].name) : null}`,
      sqs_managed_sse_enabled: `\${((var.kms_key_arn != null) || ${CREATES_KEY}) ? null : true}`,
    });
    for (const sweepQueue of sweepQueues) {
      expect(sweepQueue).to.include({ kms_master_key_id: queue.kms_master_key_id, sqs_managed_sse_enabled: queue.sqs_managed_sse_enabled });
    }
    expect(access.statement).to.deep.equal([
      {
        sid: 'EventBridgeDeliveryFailures',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: ['${aws_sqs_queue.dead_letter_queue.arn}'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [
          {
            test: 'ArnEquals',
            variable: 'aws:SourceArn',
            values:
              '${concat([aws_cloudwatch_event_rule.security_group_changes.arn], aws_cloudwatch_event_rule.sweep[*].arn, aws_cloudwatch_event_rule.organization_security_group_changes[*].arn)}',
          },
        ],
      },
    ]);
  });

  it('alarms on function errors and on a non-empty dead-letter queue, notifying the topic', () => {
    // Act
    const errors = resource(module, 'aws_cloudwatch_metric_alarm', 'function_errors_alarm');
    const depth = resource(module, 'aws_cloudwatch_metric_alarm', 'dead_letter_queue_alarm');

    // Assess
    expect(errors).to.deep.include({
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: '${aws_lambda_function.function.function_name}' },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      alarm_actions: [TOPIC_ARN],
    });
    expect(depth).to.deep.include({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: '${aws_sqs_queue.dead_letter_queue.name}' },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      alarm_actions: [TOPIC_ARN],
    });
  });

  it("alarms on the function's Failed metric (namespace sg-sentry, the total), notifying the topic", () => {
    // Act
    const failed = resource(module, 'aws_cloudwatch_metric_alarm', 'failed_alarm');

    // Assess
    expect(failed).to.deep.include({
      alarm_name: '${var.name}-failed',
      namespace: 'sg-sentry',
      metric_name: 'Failed',
      statistic: 'Sum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      treat_missing_data: 'notBreaching',
      alarm_actions: [TOPIC_ARN],
    });
    expect(failed).not.to.have.property('dimensions');
  });

  it("draws a dashboard per region of the exposure window (p50, p90, max), the outcomes and the sweep's violations", () => {
    // Act
    const dashboard = resource(module, 'aws_cloudwatch_dashboard', 'dashboard');
    const body = JSON.parse(dashboard.dashboard_body as string) as {
      widgets: Array<{ properties: { title: string; region: string; metrics: unknown[][] } }>;
    };

    // Assess
    expect(dashboard.dashboard_name).to.equal('${var.name}-${local.region}');
    const byTitle = Object.fromEntries(
      body.widgets.map((w) => [w.properties.title, w.properties.metrics.map((m) => `${m[1]} ${(m[2] as { stat: string }).stat}`)]),
    );
    expect(byTitle).to.deep.equal({
      'Exposure: CloudTrail eventTime to revoke (seconds)': ['ExposureSeconds p50', 'ExposureSeconds p90', 'ExposureSeconds Maximum'],
      'Rules by outcome': ['Revoked Sum', 'Restricted Sum', 'Exempt Sum', 'Reported Sum', 'Failed Sum'],
      'Sweep: violations found': ['SweepViolations Sum'],
      'Changes that could not be checked': ['CouldNotCheck Sum', 'EventsNotChecked Sum'],
    });
    expect(
      body.widgets.every((w) => w.properties.region === '${local.region}' && w.properties.metrics.every((m) => m[0] === 'sg-sentry')),
    ).to.equal(true);
  });

  it('keeps logs in /aws/lambda/<name> for log_retention_days, with kms_key_arn when given', () => {
    // Assess
    expect(resource(module, 'aws_cloudwatch_log_group', 'log_group')).to.include({
      name: '/aws/lambda/${var.name}',
      retention_in_days: '${var.log_retention_days}',
      kms_key_id: `\${(var.kms_key_arn != null) ? var.kms_key_arn : ${CREATES_KEY} ? one(aws_kms_key.key[*].arn) : null}`,
    });
  });

  it('derives every AWS name from var.name, so instances with different names never collide', () => {
    // Prepare
    const named: Array<[string, string, string]> = [
      ['aws_cloudwatch_event_rule', 'security_group_changes', 'name'],
      ['aws_cloudwatch_event_rule', 'sweep', 'name'],
      ['aws_cloudwatch_log_group', 'log_group', 'name'],
      ['aws_cloudwatch_metric_alarm', 'function_errors_alarm', 'alarm_name'],
      ['aws_cloudwatch_metric_alarm', 'dead_letter_queue_alarm', 'alarm_name'],
      ['aws_cloudwatch_metric_alarm', 'could_not_check_alarm', 'alarm_name'],
      ['aws_cloudwatch_log_metric_filter', 'could_not_check_filter', 'name'],
      ['aws_iam_role', 'role', 'name'],
      ['aws_kms_alias', 'key_alias', 'name'],
      ['aws_lambda_function', 'function', 'function_name'],
      ['aws_sns_topic', 'topic', 'name'],
      ['aws_sqs_queue', 'dead_letter_queue', 'name'],
      ['aws_cloudwatch_event_bus', 'organization_event_bus', 'name'],
      ['aws_cloudwatch_event_rule', 'organization_security_group_changes', 'name'],
      ['aws_sqs_queue', 'sweep_queue', 'name'],
      ['aws_sqs_queue', 'sweep_dead_letter_queue', 'name'],
      ['aws_cloudwatch_metric_alarm', 'sweep_dead_letter_queue_alarm', 'alarm_name'],
      ['aws_cloudwatch_metric_alarm', 'failed_alarm', 'alarm_name'],
      ['aws_cloudwatch_dashboard', 'dashboard', 'dashboard_name'],
      ['aws_cloudformation_stack_set', 'member_roles', 'name'],
      ['aws_cloudformation_stack_set', 'member_forwarders', 'name'],
    ];

    // Assess
    for (const [type, name, attribute] of named) {
      expect(resource(module, type, name)[attribute], `${type}.${name}.${attribute}`).to.contain('${var.name}');
    }
  });

  it('tags every resource that takes tags', () => {
    // Prepare
    const taggable = [
      'aws_cloudwatch_event_rule.security_group_changes',
      'aws_cloudwatch_event_rule.sweep',
      'aws_cloudwatch_log_group.log_group',
      'aws_cloudwatch_metric_alarm.could_not_check_alarm',
      'aws_cloudwatch_metric_alarm.dead_letter_queue_alarm',
      'aws_cloudwatch_metric_alarm.function_errors_alarm',
      'aws_dynamodb_table.state_table',
      'aws_cloudwatch_metric_alarm.failed_alarm',
      'aws_iam_role.role',
      'aws_kms_key.key',
      'aws_lambda_function.function',
      'aws_sns_topic.topic',
      'aws_sqs_queue.dead_letter_queue',
      'aws_cloudwatch_event_bus.organization_event_bus',
      'aws_cloudwatch_event_rule.organization_security_group_changes',
      'aws_sqs_queue.sweep_queue',
      'aws_sqs_queue.sweep_dead_letter_queue',
      'aws_cloudformation_stack_set.member_roles',
      'aws_cloudformation_stack_set.member_forwarders',
    ];

    // Assess
    for (const address of taggable) {
      const [type, name] = address.split('.') as [string, string];
      expect(resource(module, type, name).tags, address).to.equal('${var.tags}');
    }
  });

  it('exposes exactly the documented inputs, each with its exact type, default and nullability, and a description', () => {
    // Prepare: name, HCL type, default, whether null may be passed (null-defaulted inputs and the two that null switches off)
    const contract: Array<[string, string, unknown, boolean]> = [
      ['name', 'string', 'sg-sentry', false],
      ['policy', 'string', null, true],
      ['notification_emails', 'list(string)', [], false],
      ['create_sns_topic', 'bool', true, false],
      ['sns_topic_arn', 'string', null, true],
      ['slack_webhook_ssm_parameter', 'string', null, true],
      ['sweep_schedule', 'string', 'rate(1 hour)', true],
      ['lambda_runtime', 'string', 'nodejs22.x', false],
      ['lambda_architecture', 'string', 'arm64', false],
      ['lambda_memory_mb', 'number', 256, false],
      ['lambda_timeout_s', 'number', 120, false],
      ['log_retention_days', 'number', 90, false],
      ['kms_key_arn', 'string', null, true],
      ['maximum_retry_attempts', 'number', 2, false],
      ['tags', 'map(string)', {}, false],
      ['create_kms_key', 'bool', true, false],
      ['create_state_table', 'bool', true, false],
      ['reserved_concurrency', 'number', 5, true],
      ['role_permissions_boundary_arn', 'string', null, true],
      ['role_path', 'string', '/', false],
      ['existing_role_arn', 'string', null, true],
      ['organization_id', 'string', null, true],
      ['member_role_name', 'string', 'sg-sentry-member', false],
      ['member_organizational_unit_ids', 'list(string)', [], false],
      ['member_regions', 'list(string)', [], false],
      ['sweep_accounts', 'list(string)', [], false],
      ['sweep_regions', 'list(string)', [], false],
      ['stackset_call_as', 'string', 'SELF', false],
      ['security_hub', 'bool', false, false],
      ['chat_slack_channels', 'list(object({ workspace_id = string, channel_id = string }))', [], false],
      ['chat_teams_channels', 'list(object({ team_id = string, channel_id = string, tenant_id = string }))', [], false],
    ];

    // Act
    const variables = module.variable as Record<string, { type: string; default: unknown; nullable: boolean; description: string }>;

    // Assess
    expect(Object.keys(variables).sort()).to.deep.equal(contract.map(([name]) => name).sort());
    for (const [name, type, defaultValue, nullable] of contract) {
      expect({ type: variables[name]!.type, default: variables[name]!.default, nullable: variables[name]!.nullable }, name).to.deep.equal({
        type,
        default: defaultValue,
        nullable,
      });
      expect(variables[name]!.description, name).to.be.a('string').that.is.not.empty;
    }
  });

  it('exposes exactly the documented outputs, each the value of what it names', () => {
    // Prepare
    const expected: Record<string, string> = {
      sns_topic_arn: TOPIC_ARN,
      lambda_function_arn: '${aws_lambda_function.function.arn}',
      lambda_function_name: '${aws_lambda_function.function.function_name}',
      lambda_role_arn: ROLE_ARN,
      event_rule_arn: '${aws_cloudwatch_event_rule.security_group_changes.arn}',
      dead_letter_queue_arn: '${aws_sqs_queue.dead_letter_queue.arn}',
      role_policy_json: '${data.aws_iam_policy_document.role_policy_document.json}',
      event_bus_arn: '${one(aws_cloudwatch_event_bus.organization_event_bus[*].arn)}',
      sweep_queue_url: '${one(aws_sqs_queue.sweep_queue[*].url)}',
      member_role_name: '${(var.organization_id != null) ? var.member_role_name : null}',
      state_table_name: '${var.create_state_table ? "${var.name}-state" : null}',
      version: VERSION,
    };

    // Act
    const outputs = module.output as Record<string, { value: string; description: string }>;

    // Assess
    expect(Object.keys(outputs).sort()).to.deep.equal(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) {
      expect(outputs[name]!.value, name).to.equal(value);
      expect(outputs[name]!.description, name).to.be.a('string').that.is.not.empty;
    }
  });
});
