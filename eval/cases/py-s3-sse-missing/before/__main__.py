import pulumi_aws as aws

data = aws.s3.Bucket(
    "data",
    acl="private",
    versioning=aws.s3.BucketVersioningArgs(enabled=True),
)
