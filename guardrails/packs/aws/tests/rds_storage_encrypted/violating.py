import pulumi_aws as aws

aws.rds.Instance("bad-db", engine="postgres", instance_class="db.t3.micro", storage_encrypted=False)
aws.rds.Cluster("bad-cluster", engine="aurora-mysql")
