import pulumi_aws as aws

data = aws.s3.Bucket(
    "data",
    acl="private",
    versioning=aws.s3.BucketVersioningArgs(enabled=True),
    loggings=[aws.s3.BucketLoggingArgs(target_bucket="acme-access-logs", target_prefix="data/")],
    server_side_encryption_configuration={
        "rule": {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES-256"},
            "bucket_key_enabled": True,
        },
    },
)
