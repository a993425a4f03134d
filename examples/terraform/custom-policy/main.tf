# A policy of your own, written with jsonencode. Report mode first: sg-sentry decides and
# notifies ("would revoke") but changes nothing, so you can watch what it would do before you
# switch `mode` to "enforce". Also: Slack next to email, and a daily sweep.

variable "deployer_role_arn" {
  description = "The role your CI/CD assumes to apply Terraform; its changes are logged, never reverted."
  type        = string
  default     = "arn:aws:iam::111122223333:role/terraform-deployer"
}

variable "office_cidrs" {
  description = "Office egress ranges that may reach SSH and RDP."
  type        = list(string)
  default     = ["203.0.113.0/24", "2001:db8:1200::/40"]
}

module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name = "sg-sentry-report"

  policy = jsonencode({
    mode              = "report"
    exempt_principals = [var.deployer_role_arn]
    exclude_tags      = { "sg-sentry:ignore" = "true" }
    ingress = {
      allow = concat(
        [
          { cidr = "10.0.0.0/8" },
          { cidr = "172.16.0.0/12" },
          { cidr = "192.168.0.0/16" },
          { security_group = "*" },
          { prefix_list = "*" },
          { cidr = "0.0.0.0/0", protocol = "tcp", ports = [80, 443] },
          { cidr = "::/0", protocol = "tcp", ports = [80, 443] },
        ],
        [for cidr in var.office_cidrs : { cidr = cidr, protocol = "tcp", ports = [22, 3389] }],
      )
    }
  })

  notification_emails         = ["secops@example.com"]
  slack_webhook_ssm_parameter = "/sg-sentry/slack-webhook-url"
  sweep_schedule              = "cron(0 6 * * ? *)"
  lambda_architecture         = "x86_64"
  log_retention_days          = 30
}

output "lambda_role_arn" {
  description = "Exempt from the policy by design; handy for your own audit rules."
  value       = module.sg_sentry.lambda_role_arn
}
