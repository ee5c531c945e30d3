import pulumi_aws as aws

exports = aws.kms.Key("exports", description="exports", enable_key_rotation=False)
