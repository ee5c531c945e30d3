import pulumi_aws as aws

exports = aws.s3.BucketV2("exports")

aws.s3.BucketServerSideEncryptionConfigurationV2(
    "exports",
    bucket=exports.id,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(bucket_key_enabled=True)],
)
