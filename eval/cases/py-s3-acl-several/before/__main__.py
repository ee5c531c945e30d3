import pulumi_aws as aws

SSE = {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}}
VERSIONING = {"enabled": True}

# The log bucket does not log into itself: it violates aws-s3-bucket-access-logging on purpose
# (a violation the fix of `media` must leave alone).
logs = aws.s3.Bucket("logs", acl="log-delivery-write", server_side_encryption_configuration=SSE, versioning=VERSIONING)
media = aws.s3.Bucket(
    "media",
    acl="public-read",
    server_side_encryption_configuration=SSE,
    versioning=VERSIONING,
    loggings=[{"target_bucket": logs.id, "target_prefix": "media/"}],
)
backups = aws.s3.Bucket(
    "backups",
    acl="private",
    server_side_encryption_configuration=SSE,
    versioning=VERSIONING,
    loggings=[{"target_bucket": logs.id, "target_prefix": "backups/"}],
)
