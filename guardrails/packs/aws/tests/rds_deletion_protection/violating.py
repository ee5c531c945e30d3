import pulumi_aws as aws

aws.rds.Instance("bad-default", engine="postgres", instance_class="db.t4g.micro")
aws.rds.Instance("good-on", engine="postgres", instance_class="db.t4g.micro", deletion_protection=True)
