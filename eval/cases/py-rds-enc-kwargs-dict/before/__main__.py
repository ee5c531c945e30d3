import pulumi_aws as aws

WAREHOUSE = {
    "engine": "aurora-postgresql",
    "master_username": "analytics",
    "storage_encrypted": False,
}

warehouse = aws.rds.Cluster("warehouse", **WAREHOUSE)
