import pulumi_aws as aws

aws.cloudtrail.Trail("good-all", s3_bucket_name="acme-trail", is_multi_region_trail=True, include_global_service_events=True)
