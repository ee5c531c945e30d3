import pulumi_aws as aws

reports = aws.s3.Bucket(
    "reports",
    acl="private",
    server_side_encryption_configuration=aws.s3.BucketServerSideEncryptionConfigurationArgs(
        rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256",
            ),
        ),
    ),
    loggings=[aws.s3.BucketLoggingArgs(target_bucket="acme-access-logs", target_prefix="reports/")],
    lifecycle_rules=[aws.s3.BucketLifecycleRuleArgs(enabled=True, expiration=aws.s3.BucketLifecycleRuleExpirationArgs(days=365))],
)
