import pulumi_aws as aws

aws.s3.Bucket("bad-site", acl="public-read", website=aws.s3.BucketWebsiteArgs(index_document="index.html"))
aws.s3.BucketV2("bad-uploads", aws.s3.BucketV2Args(acl="public-read-write"))
aws.s3.Bucket("good-logs", acl="log-delivery-write")
