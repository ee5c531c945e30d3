import pulumi
import pulumi_aws as aws

config = pulumi.Config()

aws.s3.Bucket("good-on", versioning=aws.s3.BucketVersioningArgs(enabled=True))
aws.s3.Bucket("good-configured", versioning=aws.s3.BucketVersioningArgs(enabled=config.require_bool("versioning")))
