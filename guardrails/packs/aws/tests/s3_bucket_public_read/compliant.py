import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.s3.Bucket("good-private", acl="private")
aws.s3.Bucket("good-default")
aws.s3.Bucket("good-configured", acl=config.require("acl"))
