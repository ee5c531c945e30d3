import pulumi_aws as aws

aws.s3.Bucket("good-logged", loggings=[{"target_bucket": "acme-access-logs", "target_prefix": "good/"}])
