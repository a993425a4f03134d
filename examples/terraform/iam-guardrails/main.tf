# Estates whose service control policies ask for a permissions boundary and a role path on
# every role, or that hand out roles instead of letting stacks create them.

variable "permissions_boundary_arn" {
  description = "The boundary your SCPs require on every role."
  type        = string
  default     = "arn:aws:iam::111122223333:policy/platform/workload-boundary"
}

variable "audit_role_arn" {
  description = "A role your platform team created for the audit instance (trusting lambda.amazonaws.com)."
  type        = string
  default     = "arn:aws:iam::111122223333:role/platform/sg-sentry-audit"
}

# The module creates the role, under /security/ and with the boundary.
module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name                          = "sg-sentry"
  role_path                     = "/security/"
  role_permissions_boundary_arn = var.permissions_boundary_arn
  notification_emails           = ["secops@example.com"]
}

# The module creates no role: the function runs with the role given, which gets the policy the
# module would have attached (here by this configuration; or by whoever owns the role).
module "sg_sentry_audit" {
  source = "../../../terraform/sg-sentry"

  name              = "sg-sentry-audit"
  policy            = jsonencode({ mode = "report" })
  existing_role_arn = var.audit_role_arn
}

resource "aws_iam_role_policy" "sg_sentry_audit" {
  name   = "sg-sentry"
  role   = reverse(split("/", var.audit_role_arn))[0]
  policy = module.sg_sentry_audit.role_policy_json
}
