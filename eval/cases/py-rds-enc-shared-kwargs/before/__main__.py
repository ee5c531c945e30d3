import pulumi_aws as aws

# Both clusters share DEFAULTS, so both violate aws-rds-storage-encrypted; the fix for `east`
# must not change `west` through the shared dict.
DEFAULTS = {"engine": "aurora-postgresql", "backup_retention_period": 7, "deletion_protection": True, "storage_encrypted": False}

aws.rds.Cluster("east", **DEFAULTS)
aws.rds.Cluster("west", **DEFAULTS)
