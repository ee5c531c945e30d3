import pulumi_aws as aws

invoices = aws.s3.Bucket(
    "invoices",
    acl="private",
    versioning={"enabled": True},
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}},
    },
)
