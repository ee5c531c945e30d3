import pulumi_aws as aws

trail = aws.cloudtrail.Trail("audit", s3_bucket_name="acme-audit-trail", kms_key_id="alias/cloudtrail", is_multi_region_trail=True)
