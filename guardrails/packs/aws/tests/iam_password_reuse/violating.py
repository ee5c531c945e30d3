import pulumi_aws as aws

aws.iam.AccountPasswordPolicy("bad-few", password_reuse_prevention=4)
