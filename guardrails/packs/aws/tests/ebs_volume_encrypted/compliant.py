import pulumi_aws as aws

aws.ebs.Volume("good-data", availability_zone="us-east-1a", size=100, encrypted=True, kms_key_id="alias/data")
