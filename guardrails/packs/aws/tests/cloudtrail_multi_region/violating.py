import pulumi_aws as aws

aws.cloudtrail.Trail("bad-default", s3_bucket_name="acme-trail")
aws.cloudtrail.Trail("good-all", s3_bucket_name="acme-trail", is_multi_region_trail=True)
