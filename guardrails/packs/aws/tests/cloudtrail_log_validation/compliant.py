import pulumi_aws as aws

aws.cloudtrail.Trail("good-on", s3_bucket_name="acme-trail", enable_log_file_validation=True)
