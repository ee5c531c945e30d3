import pulumi_aws as aws

aws.rds.Instance("bad-db", engine="postgres", instance_class="db.t3.micro", publicly_accessible=True)
aws.rds.Instance("good-db", engine="postgres", instance_class="db.t3.micro", publicly_accessible=False)
