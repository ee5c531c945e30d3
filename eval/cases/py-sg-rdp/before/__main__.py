import pulumi_aws as aws

workers = aws.ec2.SecurityGroup(
    "workers",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=3389, to_port=3389, cidr_blocks=["0.0.0.0/0"])],
)
