import pulumi_aws as aws

policy = aws.iam.AccountPasswordPolicy(
    "account",
    minimum_password_length=14,
    require_symbols=True,
    require_numbers=True,
    allow_users_to_change_password=True,
    password_reuse_prevention=5,
    max_password_age=90,
)
