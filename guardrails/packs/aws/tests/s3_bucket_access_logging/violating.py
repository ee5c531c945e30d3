import pulumi_aws as aws

aws.s3.Bucket("bad-silent", acl="private")
aws.s3.Bucket("good-logged", loggings=[aws.s3.BucketLoggingArgs(target_bucket="acme-access-logs", target_prefix="good/")])
