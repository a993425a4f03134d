terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

# One provider per region of the member account. Give each the account's credentials, e.g.
# `assume_role { role_arn = "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole" }`,
# or, in Account Factory for Terraform customizations, the providers AFT configures.
provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
