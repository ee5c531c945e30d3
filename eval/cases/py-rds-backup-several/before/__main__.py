import pulumi
import pulumi_aws as aws

config = pulumi.Config()

catalog = aws.rds.Cluster(
    "catalog",
    engine="aurora-postgresql",
    master_username="catalog",
    master_password=config.require_secret("catalog_password"),
    storage_encrypted=True,
    deletion_protection=True,
    backup_retention_period=14,
)

ledger = aws.rds.Cluster(
    "ledger",
    engine="aurora-postgresql",
    master_username="ledger",
    master_password=config.require_secret("ledger_password"),
    storage_encrypted=True,
    deletion_protection=True,
    backup_retention_period=3,
    preferred_backup_window="02:00-03:00",
)

search = aws.rds.Cluster(
    "search",
    engine="aurora-mysql",
    master_username="search",
    master_password=config.require_secret("search_password"),
    storage_encrypted=True,
    deletion_protection=True,
    backup_retention_period=7,
)
