# The same name in two regions of one account: every name that IAM holds account-wide (the
# role) carries the region, so the two instances never collide. Each watches its own region.

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name                = "sg-sentry"
  notification_emails = ["secops@example.com"]
}

module "sg_sentry_us_east_1" {
  source = "../../../terraform/sg-sentry"
  providers = {
    aws = aws.us_east_1
  }

  name                = "sg-sentry"
  notification_emails = ["secops@example.com"]
}

output "lambda_role_arns" {
  value = [module.sg_sentry.lambda_role_arn, module.sg_sentry_us_east_1.lambda_role_arn]
}
