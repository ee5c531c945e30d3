import pulumi_aws as aws

aws.kms.Key("bad-key", description="app data", enable_key_rotation=False)
