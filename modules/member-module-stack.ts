/**
 * The member module: what one member account holds in one region (the forwarder rule) and, in
 * one region per account, the member role and the forwarder role. For accounts deployed with
 * Terraform (Account Factory for Terraform customizations, provider aliases) and for the
 * management account, which service-managed StackSets never reach.
 */
import { TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { version } from '../package.json';
import { Construct, Node } from 'constructs';
import { ACCOUNT_SWITCHES, ACCOUNT_VALUES, AccountSwitch, AccountValue } from './account-permissions';
import { TOKEN_OF_TYPE, inputVariables } from './inputs';
import { MEMBER_INPUTS } from './member-inputs';
import { MemberResources } from './member-resources';
import { AWS_PROVIDER_VERSION, REQUIRED_TERRAFORM_VERSION } from './requirements';
import { singleInstance } from './terraform-values';

export class MemberModuleStack extends TerraformStack {
  readonly member: MemberResources;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.addOverride('terraform', {
      required_version: REQUIRED_TERRAFORM_VERSION,
      required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } },
    });
    const variables = inputVariables(this, MEMBER_INPUTS);
    const value = <T>(prop: keyof typeof MEMBER_INPUTS) => TOKEN_OF_TYPE[MEMBER_INPUTS[prop].type](variables[prop]!) as T;
    const switches = Object.fromEntries((Object.keys(ACCOUNT_SWITCHES) as AccountSwitch[]).map((s) => [s, value<boolean>(s)])) as Record<
      AccountSwitch,
      boolean
    >;
    const values = Object.fromEntries((Object.keys(ACCOUNT_VALUES) as AccountValue[]).map((v) => [v, value<string | null>(v)])) as Record<
      AccountValue,
      string | null
    >;

    this.member = new MemberResources(this, 'member', {
      centralEventBusArn: value('centralEventBusArn'),
      centralFunctionRoleArn: value('centralFunctionRoleArn'),
      memberRoleName: value('memberRoleName'),
      createRoles: value('createRoles'),
      switches,
      values,
      writeRegions: value('writeRegions'),
      tags: value('tags'),
    });

    const outputs = new Construct(this, 'outputs');
    const output = (outputName: string, v: string, description: string) =>
      new TerraformOutput(outputs, outputName, { value: v, description });
    output('member_role_arn', singleInstance(this.member.memberRole, 'arn'), 'ARN of the member role (null where create_roles = false).');
    output(
      'forwarder_role_arn',
      this.member.forwarderRoleArn,
      'ARN of the forwarder role the rule sends with (created where create_roles = true).',
    );
    output('version', version, 'The sg-sentry release this module is (the git tag is v<version>).');
    output(
      'forwarder_rule_arn',
      this.member.forwarderRule.arn,
      "ARN of the default-bus rule that forwards this region's security-group events.",
    );
  }

  /** Readable addresses, as in the central module. */
  override allocateLogicalId(element: TerraformElement | Node): string {
    return TerraformElement.isTerraformElement(element) ? element.node.id : element.id;
  }
}
