/**
 * The module's README, generated from its Terraform JSON: every variable (type, default,
 * description, validation rules), every output, the IAM statements, the requirements and the
 * resources. It reads the synthesized configuration, plus what the inputs' rules ask (their
 * Terraform messages may be templates) and the reasons for each permission.
 */
import { repository, version } from '../package.json';
import { INPUTS, InputDefinition } from './inputs';
import { FORWARDER_ROLE, MEMBER_ROLE } from './member-pieces';
import { memberPermissionDefinitions } from './member-resources';
import { EVENT_BUS_PERMISSIONS, KEY_PERMISSIONS, PERMISSIONS, PermissionDefinition, TOPIC_PERMISSIONS } from './permissions';

interface StatementBlock {
  readonly sid?: string;
  readonly effect?: string;
  readonly actions?: string[];
  readonly resources?: string[];
  readonly principals?: ReadonlyArray<{ readonly type?: string; readonly identifiers?: string[] }>;
  /** `values` is a list, or one Terraform expression of a list. */
  readonly condition?: ReadonlyArray<{ readonly test?: string; readonly variable?: string; readonly values?: string | string[] }>;
}

interface VariableBlock {
  readonly type?: string;
  readonly default?: unknown;
  readonly description?: string;
  readonly nullable?: boolean;
  readonly validation?: ReadonlyArray<{ readonly error_message?: string }>;
}

interface ModuleJson {
  readonly terraform?: {
    readonly required_version?: string;
    readonly required_providers?: Record<string, { readonly source?: string; readonly version?: string }>;
  };
  readonly variable?: Record<string, VariableBlock>;
  readonly output?: Record<string, { readonly description?: string }>;
  readonly resource?: Record<string, Record<string, { readonly count?: unknown; readonly for_each?: unknown }>>;
  readonly data?: {
    readonly aws_iam_policy_document?: Record<
      string,
      { readonly statement?: StatementBlock[]; readonly dynamic?: { readonly statement?: Array<{ readonly content?: StatementBlock }> } }
    >;
  };
}

/** Expressions in statement resources and conditions, as a reader of the README names them. */
const READABLE: Record<string, string> = {
  'local.partition': '<partition>',
  'local.region': '<region>',
  'local.account_id': '<account>',
  'var.name': '<name>',
  'var.create_sns_topic ? local.created_topic_arn : var.sns_topic_arn': '<topic ARN>',
  '!(var.existing_role_arn != null) ? local.created_role_arn : var.existing_role_arn': '<role ARN>',
  'var.kms_key_arn': '<kms_key_arn>',
  'trimprefix(var.slack_webhook_ssm_parameter, "/")': '<slack_webhook_ssm_parameter without a leading />',
  'var.member_role_name': '<member_role_name>',
  'one(aws_sqs_queue.sweep_queue[*].arn)': '<sweep queue ARN>',
  'var.central_event_bus_arn': '<central_event_bus_arn>',
  'var.organization_id': '<organization_id>',
  'distinct(concat([local.region], var.member_regions, var.sweep_regions))': '<region>, member_regions and sweep_regions',
  'coalescelist(var.write_regions, [local.region])': 'write_regions (empty: <region>)',
  'var.remove_exception_tag_key': '<remove_exception_tag_key>',
};
/** Whole expressions that only a description makes readable: lists the module assembles. */
const DESCRIBED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^try\(coalesce\(lookup\(jsondecode\(var\.policy\), "exception_tag"/, "<the policy's exception_tag>"],
  [/^concat\(\[.*:alarm:/, "<this module's alarms>"],
  [/^concat\(\[.*:rule\//, "<this module's rules>"],
];
/** `${…}` replaced innermost first, so that an expression's parts are named before the whole is looked up. */
const readable = (text: string) => {
  let current = text;
  for (;;) {
    const next = current.replace(
      /\$\{([^{}]*)\}/g,
      (whole, expression: string) => READABLE[expression] ?? DESCRIBED.find(([pattern]) => pattern.test(expression))?.[1] ?? whole,
    );
    if (next === current) return current;
    current = next;
  }
};

/** Marks the generated tables inside a hand-written document (README.md). */
export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: module inputs and outputs (npm run docs:module) -->';
export const GENERATED_END = '<!-- END GENERATED -->';

const cell = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function renderInputsTable(config: Record<string, unknown>): string {
  const variables = (config as ModuleJson).variable ?? {};
  const rows = Object.keys(variables)
    .sort()
    .map((name) => {
      const v = variables[name] ?? {};
      const input = (Object.values(INPUTS) as InputDefinition[]).find((i) => i.variable === name);
      const rules = input
        ? (input.rules ?? []).map((rule) => rule.errorMessage)
        : (v.validation ?? []).map((rule) => rule.error_message ?? '').filter(Boolean);
      const defaultValue = 'default' in v ? code(JSON.stringify(v.default ?? null)) : 'required';
      return `| ${code(name)} | ${cell(v.description ?? '')} | ${code(v.type ?? 'any')} | ${defaultValue} | ${cell(rules.join(' '))} |`;
    });
  return ['| Name | Description | Type | Default | Validation |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function renderOutputsTable(config: Record<string, unknown>): string {
  const outputs = (config as ModuleJson).output ?? {};
  const rows = Object.keys(outputs)
    .sort()
    .map((name) => `| ${code(name)} | ${cell(outputs[name]?.description ?? '')} |`);
  return ['| Name | Description |', '|---|---|', ...rows].join('\n');
}

/** The policy documents the README describes, with the definitions that give each statement's when and why. */
const DOCUMENTS = {
  role: { name: 'role_policy_document', definitions: PERMISSIONS },
  topic: { name: 'topic_policy_document', definitions: TOPIC_PERMISSIONS },
  key: { name: 'key_policy_document', definitions: KEY_PERMISSIONS },
  eventBus: { name: 'organization_event_bus_policy_document', definitions: EVENT_BUS_PERMISSIONS },
  memberRole: { name: 'member_role_policy_document', definitions: memberPermissionDefinitions(MEMBER_ROLE) },
  forwarderRole: { name: 'forwarder_role_policy_document', definitions: memberPermissionDefinitions(FORWARDER_ROLE) },
} as const;

/**
 * A policy document's statements (static and conditional) with when and why; every Sid must be
 * documented. Resource policies show their principals instead of resources.
 */
export function renderPermissionsTable(config: Record<string, unknown>, which: keyof typeof DOCUMENTS = 'role'): string {
  const { name, definitions } = DOCUMENTS[which];
  const document = (config as ModuleJson).data?.aws_iam_policy_document?.[name];
  const statements = [...(document?.statement ?? []), ...(document?.dynamic?.statement ?? []).map((block) => block.content ?? {})];
  // Role policies show resources; resource policies (topic, key, bus) show principals.
  const byPrincipal = which === 'topic' || which === 'key' || which === 'eventBus';
  const rows = statements.map((statement) => {
    const notes = (definitions as Record<string, PermissionDefinition<never>>)[statement.sid ?? ''];
    if (!notes) throw new Error(`statement ${statement.sid ?? '(no sid)'} of ${name} has no when and why`);
    const effect = statement.effect === 'Deny' ? 'Deny: ' : '';
    const actions = (statement.actions ?? []).map((a) => code(effect + a)).join('<br>');
    const targets = byPrincipal
      ? (statement.principals ?? []).flatMap((p) => (p.identifiers ?? []).map((id) => code(readable(id))))
      : (statement.resources ?? []).map((r) => code(readable(r)));
    return `| ${code(statement.sid ?? '')} | ${actions} | ${targets.join('<br>')} | ${conditionsCell(statement)} | ${cell(notes.when)} | ${cell(notes.why)} |`;
  });
  const header = `| Statement | Actions | ${byPrincipal ? 'Principals' : 'Resources'} | Conditions | Present when | Why |`;
  return [header, '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Each condition as `<test> <key>: <values>`, one a line; "none" without. */
function conditionsCell(statement: StatementBlock): string {
  const conditions = statement.condition ?? [];
  if (conditions.length === 0) return 'none';
  return conditions
    .map((c) => {
      const values = typeof c.values === 'string' ? [c.values] : (c.values ?? []);
      return `${code(`${c.test ?? ''} ${c.variable ?? ''}`)}: ${values.map((v) => cell(code(readable(v)))).join(', ')}`;
    })
    .join('<br>');
}

/** The block README.md carries between the markers. */
export function renderGeneratedDocsBlock(config: Record<string, unknown>): string {
  return [
    GENERATED_BEGIN,
    '',
    '### Inputs',
    '',
    renderInputsTable(config),
    '',
    '### Outputs',
    '',
    renderOutputsTable(config),
    '',
    '### IAM permissions of the function',
    '',
    renderPermissionsTable(config),
    '',
    '### Policy of the topic the module creates',
    '',
    renderPermissionsTable(config, 'topic'),
    '',
    '### Policy of the key the module creates',
    '',
    renderPermissionsTable(config, 'key'),
    '',
    GENERATED_END,
  ].join('\n');
}

/** `git::https://<host>/<org>/sg-sentry.git//<folder>?ref=v<version>`, from package.json's repository. */
export function gitSource(folder: string, releaseVersion: string): string {
  const url = repository.url.replace(/^git\+/, '');
  return `git::${url}//${folder}?ref=v${releaseVersion}`;
}

function requirementsRows(module: ModuleJson): string[] {
  const providers = Object.entries(module.terraform?.required_providers ?? {}).map(
    ([name, p]) => `| ${code(name)} (${p.source ?? ''}) | ${code(p.version ?? 'any')} |`,
  );
  return ['| Name | Version |', '|---|---|', `| terraform | ${code(module.terraform?.required_version ?? 'any')} |`, ...providers];
}

/** Requirements, inputs and outputs: what every module README lists. */
function referenceSections(config: Record<string, unknown>): string[] {
  return [
    '## Requirements',
    '',
    ...requirementsRows(config as ModuleJson),
    '',
    '## Inputs',
    '',
    renderInputsTable(config),
    '',
    '## Outputs',
    '',
    renderOutputsTable(config),
    '',
  ];
}

function resourceRows(module: ModuleJson): string[] {
  const resources = Object.entries(module.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => {
      const multiplicity = body.for_each !== undefined ? 'one per entry' : body.count !== undefined ? '0 or 1' : '1';
      return `| ${code(`${type}.${name}`)} | ${multiplicity} |`;
    }),
  );
  return ['| Address | Instances |', '|---|---|', ...resources];
}

export function renderModuleReadme(config: Record<string, unknown>): string {
  const module = config as ModuleJson;
  return [
    '# sg-sentry Terraform module',
    '',
    "<!-- Generated by `npm run release:modules` from the module's own variables and outputs; do not edit. -->",
    '',
    'Revokes AWS security-group rules that its allowlist policy does not permit, seconds after the',
    'CloudTrail event, and tells the team who did it and what was reverted. One instance covers one',
    'region of one account.',
    '',
    '## Usage',
    '',
    '```hcl',
    'module "sg_sentry" {',
    `  source = "${gitSource('terraform/sg-sentry', version)}"`,
    '',
    '  notification_emails = ["secops@example.com"]',
    '}',
    '```',
    '',
    'No build and no Node.js: this folder is the module, the function archive included',
    '(`assets/function.zip`, read through `${path.module}`: keep it next to `main.tf.json`). Vendor',
    'the folder or use the git source above with the tag of a release. The caller configures the',
    '`aws` provider (region and credentials); the module has no provider block and no backend.',
    '',
    '**Prerequisite:** a CloudTrail trail that logs management events (write events at least) in',
    "the region. EventBridge receives the region's CloudTrail management events only while such a",
    'trail exists; without one, only the scheduled sweep finds violations.',
    '',
    '## Organization',
    '',
    'With `organization_id` one instance serves every account of an AWS Organization: member',
    'accounts forward their security-group events to the central event bus (`event_bus_arn`) and lend',
    'a role (`member_role_name`) that the function assumes to act in them. With',
    '`member_organizational_unit_ids` two service-managed StackSets create the member pieces in every',
    'account of those OUs, now and as accounts join; elsewhere (the management account, accounts',
    'deployed with Terraform) use the member module `sg-sentry-member`. The scheduled sweep dispatches',
    'one message per account and region to the sweep queue, which the function consumes.',
    '',
    ...referenceSections(config),
    '## IAM permissions of the function',
    '',
    renderPermissionsTable(config),
    '',
    '## Policy of the topic the module creates',
    '',
    renderPermissionsTable(config, 'topic'),
    '',
    '## Policy of the key the module creates',
    '',
    renderPermissionsTable(config, 'key'),
    '',
    '## Policy of the central event bus (with organization_id)',
    '',
    renderPermissionsTable(config, 'eventBus'),
    '',
    '## Known limits',
    '',
    '- With `create_kms_key = false` (and no `kms_key_arn`), the topic uses the AWS-managed key',
    "  `alias/aws/sns`, and CloudWatch alarm notifications are not delivered: that key's policy",
    "  cannot be changed to let CloudWatch use it. The function's own notifications are delivered.",
    '- A `kms_key_arn` of your own must allow CloudWatch Logs (the log group), EventBridge (the',
    "  dead-letter queue) and CloudWatch (alarms to the topic) in its key policy, as the module's own",
    '  key does (above).',
    '- `existing_role_arn` and, with `create_kms_key` left true, `kms_key_arn` must be known at plan',
    '  (literals, variables or data sources): they decide how many roles and keys the module creates.',
    '- `name` must be unique per account and region; the IAM role is named `<name>-<region>`, so the',
    '  same name works in several regions.',
    '- Email subscriptions stay pending until each recipient confirms; Terraform cannot confirm them.',
    '',
    '## Resources',
    '',
    ...resourceRows(module),
    '',
  ].join('\n');
}

/** The member module's README, generated from its Terraform JSON like the central one. */
export function renderMemberModuleReadme(config: Record<string, unknown>): string {
  const module = config as ModuleJson;
  return [
    '# sg-sentry member module',
    '',
    "<!-- Generated by `npm run release:modules` from the module's own variables and outputs; do not edit. -->",
    '',
    'What one member account of an organization holds for a central sg-sentry deployment (the',
    'sg-sentry module with `organization_id`): in each region, a default-bus rule that forwards the',
    'security-group events CloudTrail records to the central bus; in one region per account, the',
    'member role the central function acts with and the forwarder role the rules send with. The',
    'service-managed StackSets of the central module create the same pieces from the same',
    'definition; use this module where they do not reach: the management account, and accounts',
    'deployed with Terraform.',
    '',
    '## Usage',
    '',
    '```hcl',
    'provider "aws" {',
    '  alias  = "member_eu_west_1"',
    '  region = "eu-west-1"',
    '  # credentials of the member account, e.g. assume_role { role_arn = ... }',
    '}',
    '',
    'module "sg_sentry_member_eu_west_1" {',
    `  source    = "${gitSource('terraform/sg-sentry-member', version)}"`,
    '  providers = { aws = aws.member_eu_west_1 }',
    '',
    '  central_event_bus_arn     = "arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry"',
    '  central_function_role_arn = "arn:aws:iam::111122223333:role/sg-sentry-eu-west-1"',
    '  create_roles              = true # false in every other region of this account',
    '  write_regions             = ["eu-west-1", "us-east-1"]',
    '}',
    '```',
    '',
    'Set `enforce` and `restrict` to match the central policy (`mode`, `action`), and, when it sets',
    '`exception_approvers`, `remove_exception_tag_key` to its `exception_tag`: the member role',
    "then has exactly the permissions the central function's own role has in its own account. Do not",
    "deploy a forwarder in the central account's own region: the central module's default-bus rule",
    "already sends that region's events to the function, and a forwarder would make it handle each",
    'event twice.',
    '',
    ...referenceSections(config),
    '## IAM permissions of the member role',
    '',
    renderPermissionsTable(config, 'memberRole'),
    '',
    'It trusts only `central_function_role_arn`, and only for sessions named `sg-sentry`',
    '(`sts:RoleSessionName`).',
    '',
    '## IAM permissions of the forwarder role',
    '',
    renderPermissionsTable(config, 'forwarderRole'),
    '',
    'It trusts only EventBridge acting for this account (`aws:SourceAccount`).',
    '',
    '## Resources',
    '',
    ...resourceRows(module),
    '',
  ].join('\n');
}
