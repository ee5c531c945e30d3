import pulumi_aws as aws

DEFAULTS = {"engine": "aurora-postgresql", "storage_encrypted": False}

aws.rds.Cluster("east", **DEFAULTS)
aws.rds.Cluster("west", **DEFAULTS)
