import pulumi_aws as aws

WAREHOUSE = {
    "engine": "aurora-postgresql",
    "master_username": "analytics",
    "backup_retention_period": 14,
    "deletion_protection": True,
    "storage_encrypted": False,
}

warehouse = aws.rds.Cluster("warehouse", **WAREHOUSE)
