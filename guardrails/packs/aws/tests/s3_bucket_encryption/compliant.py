import pulumi_aws as aws

aws.s3.Bucket(
    "good-kms",
    server_side_encryption_configuration=aws.s3.BucketServerSideEncryptionConfigurationArgs(
        rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms",
            ),
        ),
    ),
)
aws.s3.Bucket("good-dict", server_side_encryption_configuration={
    "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
})
