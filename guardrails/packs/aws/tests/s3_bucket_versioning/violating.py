import pulumi_aws as aws

aws.s3.Bucket("bad-default")
aws.s3.Bucket("bad-off", versioning=aws.s3.BucketVersioningArgs(enabled=False))
aws.s3.Bucket("good-on", versioning={"enabled": True})
