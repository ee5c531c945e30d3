import pulumi_aws as aws

aws.s3.AccountPublicAccessBlock(
    "good-account",
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
