import pulumi_aws as aws

aws.kms.Key("good-key", description="app data", enable_key_rotation=True)
aws.kms.Key("good-signing", customer_master_key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
