import pulumi_aws as aws

aws.rds.Instance("good-db", engine="postgres", instance_class="db.t3.micro", storage_encrypted=True)
aws.rds.Cluster("good-serverless", engine="aurora-mysql", engine_mode="serverless")
