import pulumi_aws as aws

aws.rds.Instance("good-db", aws.rds.InstanceArgs(engine="postgres", instance_class="db.t3.micro", publicly_accessible=False))
