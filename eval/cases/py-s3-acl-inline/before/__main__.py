import pulumi_aws as aws

site = aws.s3.Bucket(
    "site",
    acl="public-read-write",
    force_destroy=True,
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
    },
    versioning=aws.s3.BucketVersioningArgs(enabled=True),
    loggings=[aws.s3.BucketLoggingArgs(target_bucket="acme-access-logs", target_prefix="site/")],
)
