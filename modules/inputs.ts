/**
 * The inputs of sg-sentry, each defined once: its Terraform variable (name, type, default,
 * description) and its rules. From this table come the module's variables and their
 * validations (module-stack.ts), the construct's check of plain values (a cdktf app gets the
 * module's messages at synth time) and, through the synthesized variables, the README's inputs
 * table. An input is added here, with its prop in `SecurityGroupSentryProps`, and the construct
 * uses it.
 */
import { Fn, IResolvable, Op, TerraformProvider, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { PolicyValidationError, parsePolicy } from '../function/core/policy/policy';
import { POLICY_MAX_BYTES } from './policy-input';
import { policyProblems } from './policy-validation';
import { isToken } from './terraform-values';

export interface SecurityGroupSentryProps {
  /** Prefix of every resource name. Must be unique per account and region (the IAM role: per account). */
  readonly name: string;
  /**
   * Path of the function archive (a zip of dist/function/index.js) as Terraform resolves it,
   * e.g. `${path.module}/assets/function.zip`, or a cdktf `TerraformAsset`'s `path`. Default: an
   * asset of the bundle that ships with sg-sentry.
   */
  readonly functionArchivePath?: string;
  /** `source_code_hash` of the archive; default `filebase64sha256(functionArchivePath)`. */
  readonly functionArchiveHash?: string;
  /** Policy JSON (see the README's policy section). Unset or null: the function's embedded default policy. */
  readonly policy?: string | null;
  /** One email subscription each. */
  readonly notificationEmails?: string[];
  /** Create the SNS topic (default true), or publish to `snsTopicArn`. */
  readonly createSnsTopic?: boolean | IResolvable;
  /** An existing topic; required when `createSnsTopic` is false. */
  readonly snsTopicArn?: string | null;
  /** Name of an SSM SecureString parameter holding a Slack incoming-webhook URL. */
  readonly slackWebhookSsmParameter?: string | null;
  /** EventBridge schedule of the sweep; default hourly; null disables the sweep. */
  readonly sweepSchedule?: string | null;
  readonly lambdaRuntime?: string;
  readonly lambdaArchitecture?: string;
  readonly lambdaMemoryMb?: number;
  readonly lambdaTimeoutS?: number;
  readonly logRetentionDays?: number;
  /** Customer-managed KMS key for the topic, the dead-letter queue and the log group. */
  readonly kmsKeyArn?: string | null;
  /** Create a customer-managed key when `kmsKeyArn` is not set (default true). */
  readonly createKmsKey?: boolean | IResolvable;
  /** Create the state table (default true): without it, the sweep cannot honour exemptions granted at event time. */
  readonly createStateTable?: boolean | IResolvable;
  /** Lambda's asynchronous retries after a function error (0-2). */
  readonly maximumRetryAttempts?: number;
  /** Concurrency reserved for the function (default 5); null leaves it unreserved. */
  readonly reservedConcurrency?: number | null;
  /** Permissions boundary of the role the construct creates. */
  readonly rolePermissionsBoundaryArn?: string | null;
  /** IAM path of the role the construct creates (default `/`). */
  readonly rolePath?: string;
  /** A role of your own for the function; then no role and no role policy are created. */
  readonly existingRoleArn?: string | null;
  readonly tags?: { [key: string]: string };
  /** The AWS provider of every resource and data source; default the stack's default provider. */
  readonly provider?: TerraformProvider;
  /** The AWS Organization (`o-…`) whose accounts this deployment serves; null: one account. */
  readonly organizationId?: string | null;
  /** Name of the role the function assumes in member accounts. */
  readonly memberRoleName?: string;
  /** OUs (or the root) whose accounts get the member role and forwarders through StackSets. */
  readonly memberOrganizationalUnitIds?: string[];
  /** Regions whose events member accounts forward; empty: this region. */
  readonly memberRegions?: string[];
  /** Account ids the sweep covers, or `["organization"]`; empty: this account. */
  readonly sweepAccounts?: string[];
  /** Regions the sweep covers; empty: this region. */
  readonly sweepRegions?: string[];
  /** `SELF` (the management account) or `DELEGATED_ADMIN` (a delegated administrator of StackSets). */
  readonly stacksetCallAs?: string;
  /** Import violating and exempt findings into Security Hub too (default false). */
  readonly securityHub?: boolean | IResolvable;
  /** Slack channels that get the notifications through Amazon Q Developer in chat applications. */
  readonly chatSlackChannels?: readonly SlackChannel[] | IResolvable;
  /** Microsoft Teams channels that get them the same way. */
  readonly chatTeamsChannels?: readonly TeamsChannel[] | IResolvable;
}

/** A Slack channel of a workspace authorized in Amazon Q Developer in chat applications. */
export interface SlackChannel {
  readonly workspace_id: string;
  readonly channel_id: string;
}

/** A Microsoft Teams channel of a team authorized in Amazon Q Developer in chat applications. */
export interface TeamsChannel {
  readonly team_id: string;
  readonly channel_id: string;
  readonly tenant_id: string;
}

/** The props that are module inputs (the archive is the module's own; the provider is the caller's). */
export type InputProps = Omit<SecurityGroupSentryProps, 'functionArchivePath' | 'functionArchiveHash' | 'provider'>;

/** One rule of an input, written for Terraform and for plain values alike. */
export interface InputRule {
  /** What the rule asks: the README's validation column and the message for plain values. */
  readonly errorMessage: string;
  /**
   * The variable's `error_message` when it names more than `errorMessage` can (a template over
   * `ref`); default `errorMessage`.
   */
  readonly terraformMessage?: (ref: string) => string;
  /** The rule as a Terraform expression over `ref` (e.g. `var.name`). */
  readonly expression: (ref: string) => string;
  /** Whether `ref == null ||` goes in front when the input may be null (default true). */
  readonly nullPasses?: boolean;
  /**
   * The same rule on a plain value (never null or undefined): undefined when it holds, else
   * what breaks it, as text for the message (the value, or the problems found in it).
   */
  readonly offending: (value: unknown) => string | undefined;
}

export interface InputDefinition {
  readonly variable: string;
  /** A Terraform type constraint; also decides how the variable reaches the construct. */
  readonly type: 'string' | 'number' | 'bool' | 'list(string)' | 'map(string)' | typeof SLACK_CHANNELS_TYPE | typeof TEAMS_CHANNELS_TYPE;
  /** `undefined`: the caller must set it (the member module's central ARNs). */
  readonly default: unknown;
  /** Whether null may be passed; default: exactly when the default is null. */
  readonly nullable?: boolean;
  readonly description: string;
  readonly rules?: readonly InputRule[];
}

/** The bundle targets Node 22 (scripts/build.mjs), so older runtimes are not offered. */
export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export const SUPPORTED_ARCHITECTURES = ['arm64', 'x86_64'] as const;
/** Values CloudWatch Logs accepts for a retention period. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** Letters, digits, `-`, `_`; short enough that `<name>-events` fits EventBridge's 64 chars. */
export const NAME_PATTERN = '^[A-Za-z0-9_-]{1,48}$';
export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
export const SSM_PARAMETER_NAME_PATTERN = '^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$';
/** A KMS key ARN (IAM statements match keys by key ARN, not by alias). */
export const KMS_KEY_ARN_PATTERN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$';
export const SNS_TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$';
export const SCHEDULE_PATTERN = '^(rate|cron)\\(.+\\)$';
export const IAM_POLICY_ARN_PATTERN = '^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$';
export const IAM_ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$';
export const IAM_PATH_PATTERN = '^/([A-Za-z0-9+=,.@_-]+/)*$';
export const ORGANIZATION_ID_PATTERN = '^o-[a-z0-9]{10,32}$';
/** An OU id, or the root's id (StackSets deploy to a root's accounts too). */
export const ORGANIZATIONAL_UNIT_ID_PATTERN = '^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$';
/** IAM role name characters; at most 54, so `<name>-forwarder` fits IAM's 64. */
export const MEMBER_ROLE_NAME_PATTERN = '^[A-Za-z0-9+=,.@_-]{1,54}$';
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';
export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$';
/** Slack's workspace (team) id, as Amazon Q Developer in chat applications takes it (T0123ABCDEF). */
export const SLACK_WORKSPACE_ID_PATTERN = '^[0-9A-Z]{1,255}$';
/** Slack's channel id (C0123ABCDEF), as that service takes it. */
export const SLACK_CHANNEL_ID_PATTERN = '^[A-Za-z0-9]{1,255}$';
/** Microsoft Teams' team and tenant ids are GUIDs. */
export const GUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
/** A Teams channel id URL-encoded, as its link shows it and the service takes it (19%3a…%40thread.tacv2). */
export const TEAMS_CHANNEL_ID_PATTERN = '^[A-Za-z0-9_=+/.,-]*%3[aA][A-Za-z0-9_=+/.,-]*%40[A-Za-z0-9_=+/.,-]*$';
export const SLACK_CHANNELS_TYPE = 'list(object({ workspace_id = string, channel_id = string }))';
export const TEAMS_CHANNELS_TYPE = 'list(object({ team_id = string, channel_id = string, tenant_id = string }))';
/** `sweep_accounts` value that means every ACTIVE account of the organization. */
export const SWEEP_WHOLE_ORGANIZATION = 'organization';
export const STACKSET_CALL_AS = ['SELF', 'DELEGATED_ADMIN'] as const;

/** An HCL string literal (JSON's escapes for `"` and `\` are HCL's too). */
export const hcl = (text: string) => JSON.stringify(text);
export const hclList = (values: readonly (string | number)[]) => `[${values.map((v) => (typeof v === 'string' ? hcl(v) : v)).join(', ')}]`;
const canMatch = (pattern: string, expression: string) => `can(regex(${hcl(pattern)}, ${expression}))`;

const plainString = (value: unknown): value is string => typeof value === 'string' && !isToken(value);
/** A value as the message shows it: JSON, cut short. */
const shown = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** The whole value matches an RE2-compatible pattern (the same in JavaScript). */
export function matching(pattern: string, errorMessage: string): InputRule {
  const regex = new RegExp(pattern);
  return {
    errorMessage,
    expression: (ref) => canMatch(pattern, ref),
    offending: (value) => (plainString(value) && !regex.test(value) ? shown(value) : undefined),
  };
}

/** Every element of a list matches the pattern. */
export function eachMatching(pattern: string, element: string, errorMessage: string): InputRule {
  const regex = new RegExp(pattern);
  return {
    errorMessage,
    expression: (ref) => `alltrue([for ${element} in ${ref} : ${canMatch(pattern, element)}])`,
    offending: (value) => {
      if (!Array.isArray(value) || isToken(value)) return undefined;
      const bad = value.filter((v) => plainString(v) && !regex.test(v));
      return bad.length > 0 ? shown(bad) : undefined;
    },
  };
}

export function oneOf(values: readonly (string | number)[], errorMessage: string): InputRule {
  return {
    errorMessage,
    expression: (ref) => `contains(${hclList(values)}, ${ref})`,
    offending: (value) =>
      (typeof value === 'string' || typeof value === 'number') && !isToken(value) && !values.includes(value) ? shown(value) : undefined,
  };
}

export function wholeNumberBetween(min: number, max: number, errorMessage: string): InputRule {
  return {
    errorMessage,
    expression: (ref) => `${ref} >= ${min} && ${ref} <= ${max} && floor(${ref}) == ${ref}`,
    offending: (value) =>
      typeof value === 'number' && !isToken(value) && !(Number.isInteger(value) && value >= min && value <= max) ? shown(value) : undefined,
  };
}

export function wholeNumberAtLeast(min: number, errorMessage: string): InputRule {
  return {
    errorMessage,
    expression: (ref) => `${ref} >= ${min} && floor(${ref}) == ${ref}`,
    offending: (value) =>
      typeof value === 'number' && !isToken(value) && !(Number.isInteger(value) && value >= min) ? shown(value) : undefined,
  };
}

/** The policy JSON as a plain object, or undefined when it is a token or not one. */
function parsedPolicy(value: unknown): unknown {
  if (!plainString(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every element of a list of objects has each named attribute matching its pattern, and no two
 * elements share a channel id (the channel configurations are keyed by it).
 */
function channelsRule(patterns: Readonly<Record<string, string>>, errorMessage: string): InputRule {
  const attributes = Object.entries(patterns);
  return {
    errorMessage,
    expression: (ref) =>
      `alltrue([for c in ${ref} : ${attributes.map(([a, p]) => canMatch(p, `c.${a}`)).join(' && ')}]) && length(distinct([for c in ${ref} : c.channel_id])) == length(${ref})`,
    offending: (value) => {
      if (!Array.isArray(value) || isToken(value)) return undefined;
      const bad = value.filter(
        (c) => typeof c !== 'object' || c === null || attributes.some(([a, p]) => plainString(c[a]) && !new RegExp(p).test(c[a])),
      );
      if (bad.length > 0) return shown(bad);
      const ids = value.map((c) => c?.channel_id);
      return new Set(ids).size !== ids.length ? shown(ids) : undefined;
    },
  };
}

/** Account ids, or exactly `["organization"]`. */
const SWEEP_ACCOUNTS_RULE: InputRule = {
  errorMessage: `sweep_accounts must be a list of 12-digit account ids, or ["${SWEEP_WHOLE_ORGANIZATION}"] alone.`,
  expression: (ref) =>
    `join(",", ${ref}) == ${hcl(SWEEP_WHOLE_ORGANIZATION)} || alltrue([for account in ${ref} : ${canMatch(ACCOUNT_ID_PATTERN, 'account')}])`,
  offending: (value) => {
    if (!Array.isArray(value) || isToken(value)) return undefined;
    if (value.length === 1 && value[0] === SWEEP_WHOLE_ORGANIZATION) return undefined;
    const bad = value.filter((v) => plainString(v) && !new RegExp(ACCOUNT_ID_PATTERN).test(v));
    return bad.length > 0 ? shown(bad) : undefined;
  },
};

const POLICY_RULES: readonly InputRule[] = [
  {
    errorMessage: 'policy must be null or a JSON object, e.g. jsonencode({ mode = "report" }).',
    expression: (ref) => `can(keys(jsondecode(${ref})))`,
    offending: (value) => (plainString(value) && !isPlainObject(parsedPolicy(value)) ? shown(value) : undefined),
  },
  {
    errorMessage: `policy must be at most ${POLICY_MAX_BYTES} bytes once minified: Lambda allows 4 KB for all environment variables together.`,
    // base64 of n bytes is 4*ceil(n/3) characters: this bounds the minified policy's bytes.
    expression: (ref) => `try(length(base64encode(jsonencode(jsondecode(${ref})))) <= ${(POLICY_MAX_BYTES / 3) * 4}, true)`,
    nullPasses: false,
    offending: (value) => {
      const parsed = parsedPolicy(value);
      return isPlainObject(parsed) && Buffer.byteLength(JSON.stringify(parsed)) > POLICY_MAX_BYTES ? '(the policy)' : undefined;
    },
  },
  {
    errorMessage:
      'policy must be a valid sg-sentry policy: every problem is named by its JSON path (unknown keys, mode, action, protocol, CIDRs, ports, ...).',
    // The problems are computed once, bound by a one-element `for`.
    terraformMessage: (ref) =>
      `\${[for problems in [${policyProblems(ref)}] : format("The policy has %d problem(s): %s", length(problems), join("; ", problems))][0]}`,
    expression: (ref) => `length(${policyProblems(ref)}) == 0`,
    nullPasses: false,
    offending: (value) => {
      const parsed = parsedPolicy(value);
      if (!isPlainObject(parsed)) return undefined;
      try {
        parsePolicy(parsed);
        return undefined;
      } catch (error) {
        if (error instanceof PolicyValidationError) return `(${error.problems.join('; ')})`;
        throw error;
      }
    },
  },
];

/** Every input, by its prop name, in the order the README's tables sort anyway. */
export const INPUTS = {
  name: {
    variable: 'name',
    type: 'string',
    default: 'sg-sentry',
    description:
      'Name of the function and prefix of every other resource name; unique per account and region. The IAM role is named <name>-<region>, so the same name works in several regions.',
    rules: [matching(NAME_PATTERN, 'name must be 1-48 letters, digits, "-" or "_".')],
  },
  policy: {
    variable: 'policy',
    type: 'string',
    default: null,
    description:
      'Policy JSON (version 1, see the sg-sentry README), e.g. jsonencode({ mode = "report" }); omitted keys take the embedded default policy\'s values. null: the function\'s embedded default policy (SENTRY_POLICY is not set).',
    rules: POLICY_RULES,
  },
  notificationEmails: {
    variable: 'notification_emails',
    type: 'list(string)',
    default: [],
    description: 'Email addresses subscribed to the topic, created or existing (each must confirm the subscription AWS mails it).',
    rules: [eachMatching(EMAIL_PATTERN, 'email', 'Every notification_emails entry must be an email address.')],
  },
  createSnsTopic: {
    variable: 'create_sns_topic',
    type: 'bool',
    default: true,
    description: 'Create the SNS topic. false: publish to sns_topic_arn (then required) instead.',
  },
  snsTopicArn: {
    variable: 'sns_topic_arn',
    type: 'string',
    default: null,
    description: 'ARN of an existing SNS topic; required when create_sns_topic = false, and only then.',
    rules: [matching(SNS_TOPIC_ARN_PATTERN, 'sns_topic_arn must be an SNS topic ARN.')],
  },
  slackWebhookSsmParameter: {
    variable: 'slack_webhook_ssm_parameter',
    type: 'string',
    default: null,
    description:
      'Name of an SSM SecureString parameter holding a Slack incoming-webhook URL. null: no Slack, and no SSM or KMS permission.',
    rules: [
      matching(
        SSM_PARAMETER_NAME_PATTERN,
        'slack_webhook_ssm_parameter must be an SSM parameter name such as /sg-sentry/slack-webhook (not an ARN).',
      ),
    ],
  },
  sweepSchedule: {
    variable: 'sweep_schedule',
    type: 'string',
    default: 'rate(1 hour)',
    nullable: true,
    description: 'EventBridge schedule expression of the sweep over existing rules. null disables the sweep.',
    rules: [matching(SCHEDULE_PATTERN, 'sweep_schedule must be rate(...), cron(...) or null.')],
  },
  lambdaRuntime: {
    variable: 'lambda_runtime',
    type: 'string',
    default: 'nodejs22.x',
    description: 'Lambda runtime. The bundle targets Node.js 22; nodejs24.x needs an AWS provider that knows it.',
    rules: [oneOf(SUPPORTED_RUNTIMES, `lambda_runtime must be one of ${SUPPORTED_RUNTIMES.join(', ')}.`)],
  },
  lambdaArchitecture: {
    variable: 'lambda_architecture',
    type: 'string',
    default: 'arm64',
    description: 'Lambda instruction set architecture.',
    rules: [oneOf(SUPPORTED_ARCHITECTURES, `lambda_architecture must be one of ${SUPPORTED_ARCHITECTURES.join(', ')}.`)],
  },
  lambdaMemoryMb: {
    variable: 'lambda_memory_mb',
    type: 'number',
    default: 256,
    description: 'Memory of the function in MB (also scales its CPU).',
    rules: [wholeNumberBetween(128, 10240, 'lambda_memory_mb must be a whole number from 128 to 10240.')],
  },
  lambdaTimeoutS: {
    variable: 'lambda_timeout_s',
    type: 'number',
    default: 120,
    description: 'Timeout of the function in seconds; a sweep over many groups needs the most.',
    rules: [wholeNumberBetween(1, 900, 'lambda_timeout_s must be a whole number from 1 to 900.')],
  },
  logRetentionDays: {
    variable: 'log_retention_days',
    type: 'number',
    default: 90,
    description: "Retention of the function's log group in days.",
    rules: [oneOf(LOG_RETENTION_DAYS, `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(', ')}.`)],
  },
  kmsKeyArn: {
    variable: 'kms_key_arn',
    type: 'string',
    default: null,
    description:
      'ARN of a customer-managed KMS key of your own for the SNS topic, the dead-letter queue and the log group; its key policy must let CloudWatch Logs, CloudWatch alarms and EventBridge use it. null: the module creates a key (create_kms_key).',
    rules: [matching(KMS_KEY_ARN_PATTERN, 'kms_key_arn must be a KMS key ARN (arn:...:key/...), not an alias.')],
  },
  createKmsKey: {
    variable: 'create_kms_key',
    type: 'bool',
    default: true,
    description:
      'Without kms_key_arn: create a customer-managed key whose policy lets CloudWatch alarms, EventBridge and CloudWatch Logs use it, so that alarms reach the topic. false: AWS-managed keys (alias/aws/sns, SSE-SQS), with which CloudWatch cannot deliver the alarms. Set false when kms_key_arn is only known after apply.',
  },
  createStateTable: {
    variable: 'create_state_table',
    type: 'bool',
    default: true,
    description:
      "Create the state table (DynamoDB, on demand, TTL, point-in-time recovery, encrypted with the module's key or kms_key_arn) and pass it to the function as SENTRY_STATE_TABLE. It remembers the violations exempt principals made, so the sweep does not revoke them. false: no table; the sweep then revokes such rules. Must be known at plan.",
  },
  maximumRetryAttempts: {
    variable: 'maximum_retry_attempts',
    type: 'number',
    default: 2,
    description: 'How often Lambda retries an event after the function failed (0-2) before it goes to the dead-letter queue.',
    rules: [wholeNumberBetween(0, 2, 'maximum_retry_attempts must be 0, 1 or 2.')],
  },
  reservedConcurrency: {
    variable: 'reserved_concurrency',
    type: 'number',
    default: 5,
    nullable: true,
    description:
      'Concurrent executions reserved for the function, so that other functions of the account cannot starve it and it cannot flood EC2 in an event storm. null: unreserved.',
    rules: [wholeNumberAtLeast(1, 'reserved_concurrency must be null or a whole number of at least 1 (0 would stop the function).')],
  },
  rolePermissionsBoundaryArn: {
    variable: 'role_permissions_boundary_arn',
    type: 'string',
    default: null,
    description: 'ARN of an IAM policy set as the permissions boundary of the role the module creates (not used with existing_role_arn).',
    rules: [matching(IAM_POLICY_ARN_PATTERN, 'role_permissions_boundary_arn must be an IAM policy ARN.')],
  },
  rolePath: {
    variable: 'role_path',
    type: 'string',
    default: '/',
    description: 'IAM path of the role the module creates (not used with existing_role_arn).',
    rules: [matching(IAM_PATH_PATTERN, 'role_path must start and end with "/", e.g. /security/.')],
  },
  existingRoleArn: {
    variable: 'existing_role_arn',
    type: 'string',
    default: null,
    description:
      'ARN of a role of your own for the function: the module then creates no role and no role policy; attach the role_policy_json output (or its equivalent) to it. Must be known at plan (a literal or a data source).',
    rules: [matching(IAM_ROLE_ARN_PATTERN, 'existing_role_arn must be an IAM role ARN.')],
  },
  tags: {
    variable: 'tags',
    type: 'map(string)',
    default: {},
    description: 'Tags for every resource that takes tags.',
  },
  organizationId: {
    variable: 'organization_id',
    type: 'string',
    default: null,
    description:
      "Id of the AWS Organization (o-...) this deployment serves: creates the central event bus that member accounts forward to (only principals of this organization may put events), the sweep queue, and the permission to assume member_role_name in the organization's accounts. null: one account.",
    rules: [matching(ORGANIZATION_ID_PATTERN, 'organization_id must be an organization id such as o-a1b2c3d4e5.')],
  },
  memberRoleName: {
    variable: 'member_role_name',
    type: 'string',
    default: 'sg-sentry-member',
    description:
      'Name of the role the function assumes in member accounts (created there by the StackSets or the member module; its forwarder role is <member_role_name>-forwarder).',
    rules: [matching(MEMBER_ROLE_NAME_PATTERN, 'member_role_name must be 1-54 characters of letters, digits and +=,.@_-.')],
  },
  memberOrganizationalUnitIds: {
    variable: 'member_organizational_unit_ids',
    type: 'list(string)',
    default: [],
    description:
      'OUs (ou-...) or the root (r-...) whose accounts get the member role and the forwarders through two service-managed StackSets with auto-deployment. Empty: no StackSets (deploy the member module instead). Needs organization_id. The management account is never a StackSet target.',
    rules: [
      eachMatching(
        ORGANIZATIONAL_UNIT_ID_PATTERN,
        'ou',
        'Every member_organizational_unit_ids entry must be an OU id (ou-...) or a root id (r-...).',
      ),
    ],
  },
  memberRegions: {
    variable: 'member_regions',
    type: 'list(string)',
    default: [],
    description:
      'Regions whose security-group events member accounts forward to the central bus (the forwarders StackSet deploys to each). Empty: this region only. The function may change security groups only in these regions, this one and sweep_regions.',
    rules: [eachMatching(REGION_PATTERN, 'region', 'Every member_regions entry must be a region name such as eu-west-1.')],
  },
  sweepAccounts: {
    variable: 'sweep_accounts',
    type: 'list(string)',
    default: [],
    description:
      'Accounts the scheduled sweep covers: account ids, or ["organization"] for every ACTIVE account (Organizations ListAccounts; the deployment must be in the management or a delegated-administrator account). Empty: this account. Needs organization_id. Lambda allows 4 KB of environment in all: for more than a few dozen ids use ["organization"].',
    rules: [SWEEP_ACCOUNTS_RULE],
  },
  sweepRegions: {
    variable: 'sweep_regions',
    type: 'list(string)',
    default: [],
    description: 'Regions the scheduled sweep covers in each account. Empty: this region.',
    rules: [eachMatching(REGION_PATTERN, 'region', 'Every sweep_regions entry must be a region name such as eu-west-1.')],
  },
  stacksetCallAs: {
    variable: 'stackset_call_as',
    type: 'string',
    default: 'SELF',
    description:
      'Whom the StackSets are managed as: SELF in the management account, DELEGATED_ADMIN in a delegated administrator of CloudFormation StackSets.',
    rules: [oneOf(STACKSET_CALL_AS, `stackset_call_as must be one of ${STACKSET_CALL_AS.join(', ')}.`)],
  },
  securityHub: {
    variable: 'security_hub',
    type: 'bool',
    default: false,
    description:
      'Import every violating or exempt finding into AWS Security Hub too (ASFF, in the account and region it concerns): sets SENTRY_SECURITY_HUB and grants securityhub:BatchImportFindings only (to the member role too, with organization_id). Security Hub must be enabled there.',
  },
  chatSlackChannels: {
    variable: 'chat_slack_channels',
    type: SLACK_CHANNELS_TYPE,
    default: [],
    description:
      'Slack channels that get every notification through Amazon Q Developer in chat applications (formerly AWS Chatbot), as [{ workspace_id, channel_id }]; authorize the workspace in its console first. Non-empty (with chat_teams_channels): the module creates the chat topic, one channel configuration each and their role with a read-only guardrail. Must be known at plan.',
    rules: [
      channelsRule(
        { workspace_id: SLACK_WORKSPACE_ID_PATTERN, channel_id: SLACK_CHANNEL_ID_PATTERN },
        'Every chat_slack_channels entry needs a workspace_id (capital letters and digits, T0123ABCDEF) and a channel_id (letters and digits, C0123ABCDEF), each channel once.',
      ),
    ],
  },
  chatTeamsChannels: {
    variable: 'chat_teams_channels',
    type: TEAMS_CHANNELS_TYPE,
    default: [],
    description:
      'Microsoft Teams channels that get every notification through Amazon Q Developer in chat applications, as [{ team_id, channel_id, tenant_id }]; authorize the team in its console first. Non-empty: as chat_slack_channels. Must be known at plan.',
    rules: [
      channelsRule(
        { team_id: GUID_PATTERN, channel_id: TEAMS_CHANNEL_ID_PATTERN, tenant_id: GUID_PATTERN },
        "Every chat_teams_channels entry needs a team_id and a tenant_id (GUIDs) and a channel_id URL-encoded as in the channel's link (19%3a...%40thread.tacv2), each channel once.",
      ),
    ],
  },
} as const satisfies { readonly [Prop in keyof Required<InputProps>]: InputDefinition };

/**
 * The module's variables, one per input, with their validations; cdktf cannot write a null
 * default, so that one goes in as an override. Returns each variable by prop name.
 */
export function inputVariables(scope: Construct, inputs: Readonly<Record<string, InputDefinition>>): Record<string, TerraformVariable> {
  const variables: Record<string, TerraformVariable> = {};
  for (const [prop, input] of Object.entries(inputs)) {
    const variable = new TerraformVariable(scope, input.variable, {
      type: input.type,
      default: input.default === null ? undefined : input.default,
      description: input.description,
      nullable: isNullable(input),
      validation: input.rules?.map((rule) => ({
        condition: validationCondition(input, rule),
        errorMessage: rule.terraformMessage?.(`var.${input.variable}`) ?? rule.errorMessage,
      })),
    });
    if (input.default === null) variable.addOverride('default', null);
    variables[prop] = variable;
  }
  return variables;
}

/** How a variable of each type constraint reaches a construct: as a token of that type. */
export const TOKEN_OF_TYPE: Record<InputDefinition['type'], (variable: TerraformVariable) => unknown> = {
  string: (v) => v.stringValue,
  number: (v) => v.numberValue,
  bool: (v) => v.booleanValue,
  'list(string)': (v) => v.listValue,
  'map(string)': (v) => Token.asStringMap(v.value),
  [SLACK_CHANNELS_TYPE]: (v) => v.value,
  [TEAMS_CHANNELS_TYPE]: (v) => v.value,
};

export function isNullable(input: InputDefinition): boolean {
  return input.nullable ?? input.default === null;
}

/** A rule as the variable's `validation` condition. */
export function validationCondition(input: InputDefinition, rule: InputRule): string {
  const ref = `var.${input.variable}`;
  const nullGuard = isNullable(input) && rule.nullPasses !== false ? `${ref} == null || ` : '';
  return `\${${nullGuard}${rule.expression(ref)}}`;
}

/**
 * `sns_topic_arn` exactly when `create_sns_topic = false`. In Terraform it is a precondition on
 * the function (which always exists): a variable validation that refers to another variable
 * needs Terraform 1.9, and Terraform skips it when the caller leaves that variable at its default.
 */
export const TOPIC_CHOICE = {
  errorMessage: 'Set sns_topic_arn when create_sns_topic = false, and only then.',
  condition: (createTopic: boolean | IResolvable, topicArn: string | null): IResolvable =>
    Op.eq(createTopic, Op.eq(topicArn, Token.nullValue())),
  holds: (createTopic: boolean, topicArn: string | null | undefined): boolean => createTopic === !topicArn,
} as const;

/**
 * StackSet targets and other accounts to sweep need an organization: the function reaches other
 * accounts only through the member role, which it may assume only within its organization. A
 * precondition on the function, like the topic choice.
 */
export const ORGANIZATION_REQUIRED = {
  errorMessage: 'member_organizational_unit_ids and sweep_accounts need organization_id.',
  condition: (organizationId: string | null, organizationalUnitIds: string[], sweepAccounts: string[]): IResolvable =>
    Op.or(
      Op.neq(organizationId, Token.nullValue()),
      // `< 1`, not `== 0`: cdktf writes a literal 0 operand as "undefined".
      Op.and(Op.lt(Fn.lengthOf(organizationalUnitIds), 1), Op.lt(Fn.lengthOf(sweepAccounts), 1)),
    ),
  holds: (organizationId: string | null | undefined, organizationalUnitIds: readonly string[], sweepAccounts: readonly string[]): boolean =>
    !!organizationId || (organizationalUnitIds.length === 0 && sweepAccounts.length === 0),
} as const;

/** Every rule a plain prop value breaks, as messages naming the prop and the value. */
export function plainValueProblems(props: InputProps): string[] {
  const problems: string[] = [];
  for (const [prop, input] of Object.entries(INPUTS) as Array<[keyof InputProps, InputDefinition]>) {
    const value = props[prop];
    if (value === undefined || value === null || isToken(value)) continue;
    for (const rule of input.rules ?? []) {
      const offending = rule.offending(value);
      if (offending !== undefined) problems.push(`${prop} ${offending}: ${rule.errorMessage}`);
    }
  }
  const createTopic = props.createSnsTopic ?? INPUTS.createSnsTopic.default;
  const topicArn = props.snsTopicArn;
  if (typeof createTopic === 'boolean' && !isToken(topicArn) && !TOPIC_CHOICE.holds(createTopic, topicArn)) {
    problems.push(`createSnsTopic ${createTopic}, snsTopicArn ${shown(topicArn ?? null)}: ${TOPIC_CHOICE.errorMessage}`);
  }
  const organizationId = props.organizationId;
  const units = props.memberOrganizationalUnitIds ?? [];
  const sweepAccounts = props.sweepAccounts ?? [];
  if (![organizationId, units, sweepAccounts].some(isToken) && !ORGANIZATION_REQUIRED.holds(organizationId, units, sweepAccounts)) {
    problems.push(
      `memberOrganizationalUnitIds ${shown(units)}, sweepAccounts ${shown(sweepAccounts)}: ${ORGANIZATION_REQUIRED.errorMessage}`,
    );
  }
  return problems;
}
