# One deployment for a whole AWS Organization, in a security-tooling account that is a delegated
# administrator of CloudFormation StackSets (and of Organizations, for ListAccounts). Two
# service-managed StackSets give every account of the two OUs, now and as accounts join, the
# member role and the forwarders of three regions; the hourly sweep covers every ACTIVE account in
# the same regions, one SQS message per account and region.
#
# The management account is never a StackSet target: cover it with the member module
# (examples/terraform/member-account) if its security groups matter.

module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name                = "sg-sentry"
  notification_emails = ["secops@example.com"]

  organization_id                = "o-a1b2c3d4e5"
  member_organizational_unit_ids = ["ou-ab12-11111111", "ou-ab12-22222222"]
  member_regions                 = ["eu-west-1", "eu-central-1", "us-east-1"]
  sweep_accounts                 = ["organization"]
  sweep_regions                  = ["eu-west-1", "eu-central-1", "us-east-1"]
  stackset_call_as               = "DELEGATED_ADMIN"

  # Only a security approver may grant a time-boxed exception; a tag anyone else sets is removed,
  # in the member accounts too (the StackSets give the member role DeleteTags for that tag key).
  policy = jsonencode({
    exception_approvers = ["arn:aws:iam::*:role/security-approver"]
  })

  tags = {
    team = "platform-security"
  }
}

# For the member module in accounts that StackSets do not reach.
output "event_bus_arn" {
  value = module.sg_sentry.event_bus_arn
}

output "lambda_role_arn" {
  value = module.sg_sentry.lambda_role_arn
}
