import pulumi_aws as aws

aws.iam.AccountPasswordPolicy("good-remember", password_reuse_prevention=24)
