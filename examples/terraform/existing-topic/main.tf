# Publish to a topic your security team already runs (and is subscribed to) instead of
# creating one. The topic and the KMS key that encrypts it come from elsewhere; their ARNs are
# in terraform.tfvars. Passing the key as kms_key_arn also encrypts the dead-letter queue and
# the log group with it, and lets the function publish to the encrypted topic.

variable "security_alerts_topic_arn" {
  description = "ARN of the existing SNS topic."
  type        = string
}

variable "security_alerts_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of that topic (see the module README for its key policy)."
  type        = string
}

module "sg_sentry" {
  source = "../../../terraform/sg-sentry"

  name             = "sg-sentry"
  create_sns_topic = false
  sns_topic_arn    = var.security_alerts_topic_arn
  kms_key_arn      = var.security_alerts_kms_key_arn

  # Events only: no scheduled sweep.
  sweep_schedule = null
}

output "dead_letter_queue_arn" {
  value = module.sg_sentry.dead_letter_queue_arn
}
