import pulumi_aws as aws

bucket = aws.s3.BucketV2("data")
aws.s3.BucketVersioningV2(
    "good-enabled",
    bucket=bucket.id,
    versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(status="Enabled"),
)
