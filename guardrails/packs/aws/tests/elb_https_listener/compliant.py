import pulumi_aws as aws
import pulumi_awsx as awsx

aws.elb.LoadBalancer(
    "good-classic",
    availability_zones=["us-east-1a"],
    listeners=[aws.elb.LoadBalancerListenerArgs(instance_port=80, instance_protocol="tcp", lb_port=443, lb_protocol="ssl", ssl_certificate_id="arn:aws:acm:us-east-1:111122223333:certificate/1")],
)

awsx.lb.ApplicationLoadBalancer(
    "good-component",
    listeners=[{"port": 443, "protocol": "HTTPS", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}],
)
