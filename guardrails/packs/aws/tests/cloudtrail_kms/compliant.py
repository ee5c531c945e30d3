import pulumi_aws as aws

aws.cloudtrail.Trail("good-key", s3_bucket_name="acme-trail", kms_key_id="arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
