import pulumi_aws as aws

aws.cloudtrail.Trail("bad-default", s3_bucket_name="acme-trail")
aws.cloudtrail.Trail("good-alias", s3_bucket_name="acme-trail", kms_key_id="arn:aws:kms:us-east-1:111122223333:alias/trail")
