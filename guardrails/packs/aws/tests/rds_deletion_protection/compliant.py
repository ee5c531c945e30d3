import pulumi_aws as aws

aws.rds.Cluster("good-on", engine="aurora-postgresql", deletion_protection=True)
