import pulumi_aws as aws

aws.sns.Topic("good-managed", kms_master_key_id="alias/aws/sns")
