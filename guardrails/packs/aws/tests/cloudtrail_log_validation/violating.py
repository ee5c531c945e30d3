import pulumi_aws as aws

aws.cloudtrail.Trail("bad-default", s3_bucket_name="acme-trail", is_multi_region_trail=True)
aws.cloudtrail.Trail("good-on", s3_bucket_name="acme-trail", enable_log_file_validation=True)
