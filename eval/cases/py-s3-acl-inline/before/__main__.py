import pulumi_aws as aws

site = aws.s3.Bucket(
    "site",
    acl="public-read-write",
    website=aws.s3.BucketWebsiteArgs(index_document="index.html"),
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
    },
)
