import pulumi_aws as aws

aws.s3.Bucket("bad-algorithm", server_side_encryption_configuration={
    "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "ROT13"}},
})
aws.s3.Bucket("good-default", acl="private")
aws.s3.Bucket("good-none", server_side_encryption_configuration=None)
