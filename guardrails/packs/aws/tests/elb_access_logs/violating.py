import pulumi_aws as aws

aws.lb.LoadBalancer("bad-default", subnets=["subnet-1", "subnet-2"])
aws.elb.LoadBalancer("bad-classic-off", availability_zones=["us-east-1a"], access_logs={"bucket": "acme-lb-logs", "enabled": False})
aws.lb.LoadBalancer("good-logged", access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket="acme-lb-logs", enabled=True))
