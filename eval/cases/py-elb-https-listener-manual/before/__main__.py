import pulumi_aws as aws

web = aws.lb.LoadBalancer(
    "web",
    load_balancer_type="application",
    subnets=["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
    access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket="acme-lb-logs", enabled=True),
)
app = aws.lb.TargetGroup("app", port=8080, protocol="HTTP", vpc_id="vpc-0a1b2c3d")

aws.lb.Listener(
    "http",
    load_balancer_arn=web.arn,
    port=80,
    protocol="HTTP",
    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=app.arn)],
)
