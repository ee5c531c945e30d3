import pulumi_aws as aws
import pulumi_awsx as awsx

lb = aws.lb.LoadBalancer("web", load_balancer_type="application")
tg = aws.lb.TargetGroup("web", port=80, protocol="HTTP")
aws.alb.Listener(
    "bad-forward",
    load_balancer_arn=lb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[aws.alb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)],
)
aws.lb.Listener(
    "good-https",
    load_balancer_arn=lb.arn,
    port=443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:us-east-1:111122223333:certificate/1",
    default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
)
aws.lb.Listener(
    "bad-default-protocol",
    load_balancer_arn=lb.arn,
    port=80,
    default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
)

awsx.lb.ApplicationLoadBalancer("bad-component")
