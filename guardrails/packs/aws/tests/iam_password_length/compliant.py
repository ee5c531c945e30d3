import pulumi_aws as aws

aws.iam.AccountPasswordPolicy("good-longer", minimum_password_length=20)
