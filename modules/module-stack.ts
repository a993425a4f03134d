/**
 * The Terraform module (DESIGN §9): the `SecurityGroupSentry` construct fed by Terraform
 * variables, with the outputs a caller needs. No provider configuration and no backend: the
 * caller's root module owns both.
 */
import { TerraformElement, TerraformOutput, TerraformStack, TerraformVariable, TerraformVariableConfig, Token } from 'cdktf';
import { Construct, Node } from 'constructs';
import {
  EMAIL_PATTERN,
  KMS_KEY_ARN_PATTERN,
  LOG_RETENTION_DAYS,
  NAME_PATTERN,
  POLICY_MAX_BYTES,
  SCHEDULE_PATTERN,
  SENTRY_DEFAULTS,
  SNS_TOPIC_ARN_PATTERN,
  SSM_PARAMETER_NAME_PATTERN,
  SUPPORTED_ARCHITECTURES,
  SUPPORTED_RUNTIMES,
  SecurityGroupSentry,
} from './security-group-sentry';

/**
 * Nothing newer is needed (nullable variables: 1.1, preconditions: 1.2); 1.5 is the common
 * baseline, OpenTofu included. The tests run 1.11.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.5.0';
/** The plugin on the CI image is 5.100; 6.x is the current major. */
export const AWS_PROVIDER_VERSION = '>= 5.100, < 7.0';
/** Where the module finds the function archive, relative to its own folder. */
export const FUNCTION_ARCHIVE = 'assets/function.zip';

/** An HCL string literal (JSON's escapes for `"` and `\` are HCL's too). */
const hcl = (text: string) => JSON.stringify(text);
const list = (values: readonly (string | number)[]) => `[${values.map((v) => (typeof v === 'string' ? hcl(v) : v)).join(', ')}]`;
const matches = (pattern: string, expression: string) => `can(regex(${hcl(pattern)}, ${expression}))`;
const nullOrMatches = (variable: string, pattern: string) =>
  `\${var.${variable} == null || ${matches(pattern, `var.${variable}`)}}`;
const integerBetween = (variable: string, min: number, max: number) =>
  `\${var.${variable} >= ${min} && var.${variable} <= ${max} && floor(var.${variable}) == var.${variable}}`;

/** A module input: every one has a default (null included), as DESIGN §9 asks. */
type VariableConfig = Omit<TerraformVariableConfig, 'default'> & { readonly default: unknown };

export class SentryModuleStack extends TerraformStack {
  readonly sentry: SecurityGroupSentry;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.addOverride('terraform', {
      required_version: REQUIRED_TERRAFORM_VERSION,
      required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } },
    });

    // Every input has a default; cdktf cannot write a null default, so that one goes in as an
    // override.
    const variable = (variableName: string, config: VariableConfig) => {
      const { default: defaultValue, nullable, ...rest } = config;
      const v = new TerraformVariable(this, variableName, {
        ...rest,
        nullable: nullable ?? defaultValue === null,
        default: defaultValue === null ? undefined : defaultValue,
      });
      if (defaultValue === null) v.addOverride('default', null);
      return v;
    };

    const name = variable('name', {
      type: 'string',
      default: SENTRY_DEFAULTS.name,
      description: 'Name of the function and prefix of every other resource name. Unique per region; unique per account for the IAM role.',
      validation: [{ condition: `\${${matches(NAME_PATTERN, 'var.name')}}`, errorMessage: 'name must be 1-48 letters, digits, "-" or "_".' }],
    });
    const policy = variable('policy', {
      type: 'string',
      default: null,
      description:
        'Policy JSON (version 1, see the sg-sentry README), e.g. jsonencode({ mode = "report" }); omitted keys take the embedded default policy\'s values. null: the function\'s embedded default policy (SENTRY_POLICY is not set).',
      validation: [
        {
          condition: '${var.policy == null || can(keys(jsondecode(var.policy)))}',
          errorMessage: 'policy must be null or a JSON object, e.g. jsonencode({ mode = "report" }).',
        },
        {
          // base64 of n bytes is 4*ceil(n/3) characters: this bounds the minified policy's bytes.
          condition: `\${try(length(base64encode(jsonencode(jsondecode(var.policy)))) <= ${(POLICY_MAX_BYTES / 3) * 4}, true)}`,
          errorMessage: `policy must be at most ${POLICY_MAX_BYTES} bytes once minified: Lambda allows 4 KB for all environment variables together.`,
        },
      ],
    });
    const notificationEmails = variable('notification_emails', {
      type: 'list(string)',
      default: [],
      description: 'Email addresses subscribed to the topic, created or existing (each must confirm the subscription AWS mails it).',
      validation: [
        {
          condition: `\${alltrue([for email in var.notification_emails : ${matches(EMAIL_PATTERN, 'email')}])}`,
          errorMessage: 'Every notification_emails entry must be an email address.',
        },
      ],
    });
    const createSnsTopic = variable('create_sns_topic', {
      type: 'bool',
      default: true,
      description: 'Create the SNS topic. false: publish to sns_topic_arn (then required) instead.',
    });
    const snsTopicArn = variable('sns_topic_arn', {
      type: 'string',
      default: null,
      description: 'ARN of an existing SNS topic; required when create_sns_topic = false, and only then.',
      validation: [
        { condition: nullOrMatches('sns_topic_arn', SNS_TOPIC_ARN_PATTERN), errorMessage: 'sns_topic_arn must be an SNS topic ARN.' },
      ],
    });
    const slackWebhookSsmParameter = variable('slack_webhook_ssm_parameter', {
      type: 'string',
      default: null,
      description:
        'Name of an SSM SecureString parameter holding a Slack incoming-webhook URL. null: no Slack, and no SSM or KMS permission.',
      validation: [
        {
          condition: nullOrMatches('slack_webhook_ssm_parameter', SSM_PARAMETER_NAME_PATTERN),
          errorMessage: 'slack_webhook_ssm_parameter must be an SSM parameter name such as /sg-sentry/slack-webhook (not an ARN).',
        },
      ],
    });
    const sweepSchedule = variable('sweep_schedule', {
      type: 'string',
      default: SENTRY_DEFAULTS.sweepSchedule,
      nullable: true,
      description: 'EventBridge schedule expression of the sweep over existing rules. null disables the sweep.',
      validation: [
        { condition: nullOrMatches('sweep_schedule', SCHEDULE_PATTERN), errorMessage: 'sweep_schedule must be rate(...), cron(...) or null.' },
      ],
    });
    const lambdaRuntime = variable('lambda_runtime', {
      type: 'string',
      default: SENTRY_DEFAULTS.lambdaRuntime,
      description: 'Lambda runtime. The bundle targets Node.js 22; nodejs24.x needs an AWS provider that knows it.',
      validation: [
        {
          condition: `\${contains(${list(SUPPORTED_RUNTIMES)}, var.lambda_runtime)}`,
          errorMessage: `lambda_runtime must be one of ${SUPPORTED_RUNTIMES.join(', ')}.`,
        },
      ],
    });
    const lambdaArchitecture = variable('lambda_architecture', {
      type: 'string',
      default: SENTRY_DEFAULTS.lambdaArchitecture,
      description: 'Lambda instruction set architecture.',
      validation: [
        {
          condition: `\${contains(${list(SUPPORTED_ARCHITECTURES)}, var.lambda_architecture)}`,
          errorMessage: `lambda_architecture must be one of ${SUPPORTED_ARCHITECTURES.join(', ')}.`,
        },
      ],
    });
    const lambdaMemoryMb = variable('lambda_memory_mb', {
      type: 'number',
      default: SENTRY_DEFAULTS.lambdaMemoryMb,
      description: 'Memory of the function in MB (also scales its CPU).',
      validation: [{ condition: integerBetween('lambda_memory_mb', 128, 10240), errorMessage: 'lambda_memory_mb must be a whole number from 128 to 10240.' }],
    });
    const lambdaTimeoutS = variable('lambda_timeout_s', {
      type: 'number',
      default: SENTRY_DEFAULTS.lambdaTimeoutS,
      description: 'Timeout of the function in seconds; a sweep over many groups needs the most.',
      validation: [{ condition: integerBetween('lambda_timeout_s', 1, 900), errorMessage: 'lambda_timeout_s must be a whole number from 1 to 900.' }],
    });
    const logRetentionDays = variable('log_retention_days', {
      type: 'number',
      default: SENTRY_DEFAULTS.logRetentionDays,
      description: 'Retention of the function\'s log group in days.',
      validation: [
        {
          condition: `\${contains(${list(LOG_RETENTION_DAYS)}, var.log_retention_days)}`,
          errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(', ')}.`,
        },
      ],
    });
    const kmsKeyArn = variable('kms_key_arn', {
      type: 'string',
      default: null,
      description:
        'ARN of a customer-managed KMS key for the SNS topic, the dead-letter queue and the log group. null: the AWS-managed alias/aws/sns for the topic, SQS-managed encryption for the queue, default encryption for the logs. Its key policy must let CloudWatch Logs, CloudWatch alarms and EventBridge use it.',
      validation: [{ condition: nullOrMatches('kms_key_arn', KMS_KEY_ARN_PATTERN), errorMessage: 'kms_key_arn must be a KMS key ARN (arn:...:key/...), not an alias.' }],
    });
    const maximumRetryAttempts = variable('maximum_retry_attempts', {
      type: 'number',
      default: SENTRY_DEFAULTS.maximumRetryAttempts,
      description: 'How often Lambda retries an event after the function failed (0-2) before it goes to the dead-letter queue.',
      validation: [{ condition: integerBetween('maximum_retry_attempts', 0, 2), errorMessage: 'maximum_retry_attempts must be 0, 1 or 2.' }],
    });
    const tags = variable('tags', {
      type: 'map(string)',
      default: {},
      description: 'Tags for every resource that takes tags.',
    });

    this.sentry = new SecurityGroupSentry(this, 'sentry', {
      name: name.stringValue,
      functionArchivePath: `\${path.module}/${FUNCTION_ARCHIVE}`,
      // Written out: cdktf's Fn.filebase64sha256 would escape the nested `${path.module}`.
      functionArchiveHash: `\${filebase64sha256("\${path.module}/${FUNCTION_ARCHIVE}")}`,
      policy: policy.stringValue,
      notificationEmails: notificationEmails.listValue,
      createSnsTopic: createSnsTopic.booleanValue,
      snsTopicArn: snsTopicArn.stringValue,
      slackWebhookSsmParameter: slackWebhookSsmParameter.stringValue,
      sweepSchedule: sweepSchedule.stringValue,
      lambdaRuntime: lambdaRuntime.stringValue,
      lambdaArchitecture: lambdaArchitecture.stringValue,
      lambdaMemoryMb: lambdaMemoryMb.numberValue,
      lambdaTimeoutS: lambdaTimeoutS.numberValue,
      logRetentionDays: logRetentionDays.numberValue,
      kmsKeyArn: kmsKeyArn.stringValue,
      maximumRetryAttempts: maximumRetryAttempts.numberValue,
      tags: Token.asStringMap(tags.value),
    });

    // Outputs live in a scope of their own: their names repeat some variables' names, and
    // construct ids must be unique among siblings.
    const outputs = new Construct(this, 'outputs');
    const output = (outputName: string, value: string, description: string) =>
      new TerraformOutput(outputs, outputName, { value, description });
    output('sns_topic_arn', this.sentry.topicArn, 'ARN of the topic that receives the notifications and alarms (created or given).');
    output('lambda_function_arn', this.sentry.function.arn, 'ARN of the function.');
    output('lambda_function_name', this.sentry.function.functionName, 'Name of the function.');
    output('lambda_role_arn', this.sentry.role.arn, 'ARN of the function\'s IAM role (always exempt from its own policy).');
    output('event_rule_arn', this.sentry.eventRule.arn, 'ARN of the EventBridge rule that matches security-group changes.');
    output('dead_letter_queue_arn', this.sentry.deadLetterQueue.arn, 'ARN of the dead-letter queue of events that were never handled.');
  }

  /**
   * Readable addresses (`aws_lambda_function.function`, `var.name`) instead of cdktf's hashed
   * ones: an element's id is its address. Ids are unique per Terraform block type here, which
   * the construct's naming guarantees and the tests check.
   */
  override allocateLogicalId(element: TerraformElement | Node): string {
    return TerraformElement.isTerraformElement(element) ? element.node.id : element.id;
  }
}
