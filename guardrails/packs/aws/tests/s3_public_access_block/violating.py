import pulumi_aws as aws

bucket = aws.s3.BucketV2("data")
aws.s3.BucketPublicAccessBlock("bad-partial", bucket=bucket.id, block_public_acls=True, ignore_public_acls=True)
aws.s3.AccountPublicAccessBlock("bad-account")
aws.s3.BucketPublicAccessBlock(
    "good-all",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
