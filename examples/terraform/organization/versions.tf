terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "Region to protect. sg-sentry needs a CloudTrail trail logging management events there."
  type        = string
  default     = "eu-west-1"
}
