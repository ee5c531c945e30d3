import pulumi_aws as aws

bucket = aws.s3.BucketV2("data")
key = aws.kms.Key("key", enable_key_rotation=True)
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "good-kms",
    bucket=bucket.id,
    rules=[
        aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms",
                kms_master_key_id=key.arn,
            ),
        )
    ],
)
