# The smallest useful setup: the function's embedded default policy (enforce, revoke), the
# hourly sweep, and two addresses that are told about every revoked rule.

module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name                = "sg-sentry"
  notification_emails = ["secops@example.com", "platform-oncall@example.com"]

  tags = {
    team = "platform-security"
  }
}

output "sns_topic_arn" {
  value = module.sg_sentry.sns_topic_arn
}

output "lambda_function_name" {
  value = module.sg_sentry.lambda_function_name
}
