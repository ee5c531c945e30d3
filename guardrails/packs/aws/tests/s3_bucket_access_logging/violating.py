import pulumi_aws as aws

aws.s3.Bucket("bad-silent", acl="private")
aws.s3.Bucket("good-logged", loggings=[aws.s3.BucketLoggingArgs(target_bucket="acme-access-logs", target_prefix="good/")])
# Logging another bucket into this one does not log this one's own requests.
bad_target_of_nothing = aws.s3.Bucket("bad-unrelated")
good_logs = aws.s3.Bucket("good-logs")
good_site = aws.s3.Bucket("good-site")
aws.s3.BucketLogging("good-site-logging", bucket=good_site.id, target_bucket=good_logs.id)
