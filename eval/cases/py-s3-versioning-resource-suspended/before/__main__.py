import pulumi_aws as aws

backups = aws.s3.BucketV2("backups")

aws.s3.BucketVersioningV2(
    "backups",
    bucket=backups.id,
    versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(
        status="Suspended",
        mfa_delete="Disabled",
    ),
)
