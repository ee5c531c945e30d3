import pulumi
import pulumi_aws as aws

config = pulumi.Config()

orders = aws.rds.Instance(
    "orders",
    aws.rds.InstanceArgs(
        engine="postgres",
        instance_class="db.t4g.micro",
        allocated_storage=20,
        username="app",
        password=config.require_secret("db_password"),
        publicly_accessible=True,
        storage_encrypted=True,
        backup_retention_period=7,
        deletion_protection=True,
    ),
    opts=pulumi.ResourceOptions(protect=True),
)
