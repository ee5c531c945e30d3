import pulumi_aws as aws

aws.iam.AccountPasswordPolicy(
    "account",
    require_lowercase_characters=True,
    require_uppercase_characters=True,
    require_numbers=True,
    require_symbols=True,
    password_reuse_prevention=24,
)
