import pulumi_aws as aws

aws.s3.Bucket("bad-plain", acl="private")
aws.s3.Bucket("bad-none", server_side_encryption_configuration=None)
