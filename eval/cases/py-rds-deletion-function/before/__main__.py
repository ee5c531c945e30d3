import pulumi
import pulumi_aws as aws

config = pulumi.Config()


def service_database(service: str, instance_class: str = "db.t4g.medium") -> aws.rds.Instance:
    return aws.rds.Instance(
        f"{service}-db",
        engine="postgres",
        engine_version="16.3",
        instance_class=instance_class,
        allocated_storage=50,
        username=service,
        password=config.require_secret(f"{service}_db_password"),
        storage_encrypted=True,
        backup_retention_period=7,
        deletion_protection=False,
    )


billing = service_database("billing")
