import pulumi_aws as aws

aws.iam.AccountPasswordPolicy("bad-short", minimum_password_length=12)
