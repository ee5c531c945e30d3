import pulumi_aws as aws

SSE = {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}}

logs = aws.s3.Bucket("logs", acl="log-delivery-write", server_side_encryption_configuration=SSE)
media = aws.s3.Bucket("media", acl="public-read", server_side_encryption_configuration=SSE)
backups = aws.s3.Bucket("backups", acl="private", server_side_encryption_configuration=SSE)
