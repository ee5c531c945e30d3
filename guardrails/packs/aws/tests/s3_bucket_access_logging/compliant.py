import pulumi_aws as aws

aws.s3.Bucket("good-logged", loggings=[{"target_bucket": "acme-access-logs", "target_prefix": "good/"}])

# pulumi-aws 7: a BucketLogging resource logs the bucket; the log bucket itself is a target.
good_logs = aws.s3.Bucket("good-logs")
good_site = aws.s3.Bucket("good-site")
aws.s3.BucketLogging("good-site-logging",
    bucket=good_site.id,
    target_bucket=good_logs.id,
    target_prefix="site/")
