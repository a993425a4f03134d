/**
 * What the module and the construct need from Terraform and the AWS provider. Consumers pick
 * the provider version within the range: nothing pins it exactly.
 */

/**
 * `startswith` and `strcontains`, used by the policy validations, arrived in 1.5; 1.5 is also the
 * common baseline, OpenTofu included. The tests run 1.11.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.5.0';
/** The plugin on the CI image is 5.100; 6.x is the current major. */
export const AWS_PROVIDER_VERSION = '>= 5.100, < 7.0';
