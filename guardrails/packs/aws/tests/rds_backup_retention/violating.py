import pulumi_aws as aws

aws.rds.Instance("bad-default", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20)
aws.rds.Cluster("bad-short", engine="aurora-postgresql", backup_retention_period=1)
aws.rds.Cluster("good-month", engine="aurora-postgresql", backup_retention_period=30)
