import pulumi
import pulumi_aws as aws

config = pulumi.Config()

aws.rds.Cluster("good-month", engine="aurora-postgresql", backup_retention_period=30)
aws.rds.Instance("good-configured", engine="postgres", instance_class="db.t4g.micro", backup_retention_period=config.require_int("backup_days"))
