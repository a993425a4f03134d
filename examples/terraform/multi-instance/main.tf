# Two instances side by side in one region, told apart by name: one guards the production
# groups and replaces a too-open rule by the same rule from the corporate VPN range (action
# "restrict"), the other only reports on every other group. Every resource name derives from
# `name`, so the two never collide.

locals {
  production_group_ids = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"]
  corporate_vpn_cidrs  = ["10.100.0.0/16"]

  instances = [
    {
      name = "sg-sentry-production"
      policy = jsonencode({
        mode        = "enforce"
        action      = "restrict"
        restrict_to = local.corporate_vpn_cidrs
        groups      = local.production_group_ids
      })
    },
    {
      name   = "sg-sentry-audit"
      policy = jsonencode({ mode = "report", exclude_groups = local.production_group_ids })
    },
  ]
}

module "sg_sentry" {
  count  = 2
  source = "../../../terraform/sg-sentry"

  name                = local.instances[count.index].name
  policy              = local.instances[count.index].policy
  notification_emails = ["secops@example.com"]
}

output "lambda_function_names" {
  value = module.sg_sentry[*].lambda_function_name
}
