import pulumi_aws as aws

bucket = aws.s3.BucketV2("data")
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "bad-no-default",
    bucket=bucket.id,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(bucket_key_enabled=True)],
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "bad-algorithm",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "DES"}}],
)
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "good-aes",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
