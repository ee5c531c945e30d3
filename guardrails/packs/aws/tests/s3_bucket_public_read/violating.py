import pulumi_aws as aws

aws.s3.Bucket("bad-site", acl="public-read", website=aws.s3.BucketWebsiteArgs(index_document="index.html"))
aws.s3.BucketV2("bad-uploads", aws.s3.BucketV2Args(acl="public-read-write"))
aws.s3.Bucket("good-logs", acl="log-delivery-write")
# pulumi-aws 7: the ACL is its own resource.
v7 = aws.s3.Bucket("v7-site")
aws.s3.BucketAcl("bad-v7-acl", bucket=v7.id, acl="public-read")
