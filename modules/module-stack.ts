/**
 * The Terraform module: the `SecurityGroupSentry` construct fed by one Terraform variable per
 * input (inputs.ts), with the outputs a caller needs. No provider configuration and no backend: the
 * caller's root module owns both.
 */
import { TerraformElement, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { Construct, Node } from 'constructs';
import { version } from '../package.json';
import { INPUTS, InputProps, TOKEN_OF_TYPE, inputVariables } from './inputs';
import { AWS_PROVIDER_VERSION, REQUIRED_TERRAFORM_VERSION } from './requirements';
import { SecurityGroupSentry } from './security-group-sentry';
import { choose, isSet, singleInstance } from './terraform-values';

/** Where the module finds the function archive, relative to its own folder. */
export const FUNCTION_ARCHIVE = 'assets/function.zip';

export class SentryModuleStack extends TerraformStack {
  readonly sentry: SecurityGroupSentry;
  private readonly sentryProps: InputProps;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.addOverride('terraform', {
      required_version: REQUIRED_TERRAFORM_VERSION,
      required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } },
    });

    this.sentryProps = this.inputVariables();
    this.sentry = new SecurityGroupSentry(this, 'sentry', {
      ...this.sentryProps,
      functionArchivePath: `\${path.module}/${FUNCTION_ARCHIVE}`,
      // Written out: cdktf's Fn.filebase64sha256 would escape the nested `${path.module}`.
      functionArchiveHash: `\${filebase64sha256("\${path.module}/${FUNCTION_ARCHIVE}")}`,
    });

    // Outputs live in a scope of their own: their names repeat some variables' names, and
    // construct ids must be unique among siblings.
    const outputs = new Construct(this, 'outputs');
    const output = (outputName: string, value: string, description: string) =>
      new TerraformOutput(outputs, outputName, { value, description });
    output('sns_topic_arn', this.sentry.topicArn, 'ARN of the topic that receives the notifications and alarms (created or given).');
    output('lambda_function_arn', this.sentry.function.arn, 'ARN of the function.');
    output('lambda_function_name', this.sentry.function.functionName, 'Name of the function.');
    output(
      'lambda_role_arn',
      this.sentry.roleArn,
      "ARN of the function's IAM role, created or given (the function's own session of it is exempt from its policy).",
    );
    output(
      'role_policy_json',
      this.sentry.rolePolicyJson,
      "The IAM policy the function's role needs, as JSON; attach it to existing_role_arn's role (the module does when it creates the role).",
    );
    output('event_rule_arn', this.sentry.eventRule.arn, 'ARN of the EventBridge rule that matches security-group changes.');
    output('version', version, 'The sg-sentry release this module is (the git tag is v<version>).');
    output('dead_letter_queue_arn', this.sentry.deadLetterQueue.arn, 'ARN of the dead-letter queue of events that were never handled.');
    output(
      'state_table_name',
      this.sentry.stateTableName as string,
      'Name of the state table (DynamoDB), or null when create_state_table is false.',
    );
    output(
      'event_bus_arn',
      singleInstance(this.sentry.organizationEventBus, 'arn'),
      "With organization_id: ARN of the central event bus the member accounts forward to (the member module's central_event_bus_arn). null otherwise.",
    );
    output(
      'sweep_queue_url',
      singleInstance(this.sentry.sweepQueue, 'url'),
      'With organization_id: URL of the sweep queue (one message per account and region to sweep). null otherwise.',
    );
    output(
      'member_role_name',
      Token.asString(choose(isSet(this.sentryProps.organizationId ?? null), this.sentryProps.memberRoleName ?? '', undefined)),
      'With organization_id: name of the role the function assumes in member accounts. null otherwise.',
    );
  }

  /** One variable per input, with its validations, as the construct's props (tokens). */
  private inputVariables(): InputProps {
    const variables = inputVariables(this, INPUTS);
    return Object.fromEntries(
      Object.entries(INPUTS).map(([prop, input]) => [prop, TOKEN_OF_TYPE[input.type](variables[prop]!)]),
    ) as InputProps;
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
