/**
 * The inputs of the member module (terraform/sg-sentry-member), each defined once as in
 * inputs.ts: its variable and its rules. The switches come from the account-permission
 * switches, so a switch added there is an input here too.
 */
import { ACCOUNT_SWITCHES, ACCOUNT_VALUES, AccountSwitch, AccountValue } from './account-permissions';
import { INPUTS, InputDefinition, REGION_PATTERN, eachMatching, matching } from './inputs';

export const EVENT_BUS_ARN_PATTERN = '^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]+$';
export const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$';

const SWITCH_INPUTS = Object.fromEntries(
  (Object.entries(ACCOUNT_SWITCHES) as Array<[AccountSwitch, (typeof ACCOUNT_SWITCHES)[AccountSwitch]]>).map(([name, s]) => [
    name,
    { variable: s.variable, type: 'bool', default: s.memberDefault, description: s.description } satisfies InputDefinition,
  ]),
) as Record<AccountSwitch, InputDefinition>;

/** A tag key as EC2 takes it: 1-128 characters. */
const TAG_KEY_PATTERN = '^.{1,128}$';

const VALUE_INPUTS = Object.fromEntries(
  (Object.entries(ACCOUNT_VALUES) as Array<[AccountValue, (typeof ACCOUNT_VALUES)[AccountValue]]>).map(
    ([name, v]): [AccountValue, InputDefinition] => [
      name,
      {
        variable: v.variable,
        type: 'string',
        default: null,
        description: `${v.description} null: ${v.unset}.`,
        rules: [
          matching(TAG_KEY_PATTERN, `${v.variable} must be a tag key of 1-128 characters (the central policy's exception_tag), or null.`),
        ],
      },
    ],
  ),
) as Record<AccountValue, InputDefinition>;

export const MEMBER_INPUTS = {
  centralEventBusArn: {
    variable: 'central_event_bus_arn',
    type: 'string',
    default: undefined,
    description: 'ARN of the central event bus: the event_bus_arn output of the central sg-sentry module.',
    rules: [matching(EVENT_BUS_ARN_PATTERN, 'central_event_bus_arn must be an EventBridge event bus ARN.')],
  },
  centralFunctionRoleArn: {
    variable: 'central_function_role_arn',
    type: 'string',
    default: undefined,
    description:
      "ARN of the central function's role: the lambda_role_arn output of the central sg-sentry module. The member role trusts only this role.",
    rules: [matching(ROLE_ARN_PATTERN, 'central_function_role_arn must be an IAM role ARN.')],
  },
  memberRoleName: {
    ...INPUTS.memberRoleName,
    description:
      "Name of the member role: the central module's member_role_name. The forwarder role and rule are <member_role_name>-forwarder.",
  },
  createRoles: {
    variable: 'create_roles',
    type: 'bool',
    default: true,
    description:
      'Create the member role and the forwarder role (IAM is global): true in exactly one instance per account, false in the other regions.',
  },
  ...SWITCH_INPUTS,
  ...VALUE_INPUTS,
  writeRegions: {
    variable: 'write_regions',
    type: 'list(string)',
    default: [],
    description:
      "Regions the member role may change security groups in (aws:RequestedRegion): every region this account forwards from, and the central module's sweep_regions. Empty: this instance's region only. Only the instance with create_roles = true reads it.",
    rules: [eachMatching(REGION_PATTERN, 'region', 'Every write_regions entry must be a region name such as eu-west-1.')],
  },
  tags: INPUTS.tags,
} as const satisfies Readonly<Record<string, InputDefinition>>;
