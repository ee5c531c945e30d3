import pulumi_aws as aws

aws.s3.Bucket("bad-default")
aws.s3.Bucket("bad-off", versioning=aws.s3.BucketVersioningArgs(enabled=False))
aws.s3.Bucket("good-on", versioning={"enabled": True})
bad_neighbour = aws.s3.Bucket("bad-neighbour")
good_versioned = aws.s3.Bucket("good-versioned")
aws.s3.BucketVersioning("for-the-other", bucket=good_versioned.id,
    versioning_configuration={"status": "Enabled"})
