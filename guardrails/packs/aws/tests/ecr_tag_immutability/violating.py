import pulumi_aws as aws

aws.ecr.Repository("bad-app")
