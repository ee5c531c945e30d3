import pulumi_aws as aws

reports = aws.rds.Instance("reports", engine="postgres", instance_class="db.t4g.micro", allocated_storage=50, backup_retention_period=7, deletion_protection=True)
