import pulumi_aws as aws

aws.elb.LoadBalancer("good-classic", availability_zones=["us-east-1a"], access_logs=aws.elb.LoadBalancerAccessLogsArgs(bucket="acme-lb-logs", interval=60))
