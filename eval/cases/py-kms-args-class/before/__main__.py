import pulumi_aws as aws

exports = aws.kms.Key("exports", aws.kms.KeyArgs(description="exports", deletion_window_in_days=7))
