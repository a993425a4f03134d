# The member pieces of one account (here: the management account, which service-managed
# StackSets never reach) in two regions: the roles once (IAM is global), a forwarder in each
# region. The central deployment (examples/terraform/organization) runs in eu-west-1 of another
# account; its outputs give the two ARNs.

variable "central_event_bus_arn" {
  description = "event_bus_arn output of the central sg-sentry module."
  type        = string
  default     = "arn:aws:events:eu-west-1:111122223333:event-bus/sg-sentry"
}

variable "central_function_role_arn" {
  description = "lambda_role_arn output of the central sg-sentry module."
  type        = string
  default     = "arn:aws:iam::111122223333:role/sg-sentry-eu-west-1"
}

locals {
  forwarded_regions = ["eu-west-1", "us-east-1"]
}

module "sg_sentry_member_eu_west_1" {
  source    = "../../../terraform/sg-sentry-member"
  providers = { aws = aws.eu_west_1 }

  central_event_bus_arn     = var.central_event_bus_arn
  central_function_role_arn = var.central_function_role_arn
  create_roles              = true
  write_regions             = local.forwarded_regions
  # The central policy sets exception_approvers: its exception_tag, which the member role may remove.
  remove_exception_tag_key = "sg-sentry:exempt-until"
}

module "sg_sentry_member_us_east_1" {
  source    = "../../../terraform/sg-sentry-member"
  providers = { aws = aws.us_east_1 }

  central_event_bus_arn     = var.central_event_bus_arn
  central_function_role_arn = var.central_function_role_arn
  create_roles              = false
}

output "member_role_arn" {
  value = module.sg_sentry_member_eu_west_1.member_role_arn
}
