import pulumi_aws as aws

aws.ec2.SecurityGroup(
    "bad-ssh",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]),
    ],
)
aws.ec2.SecurityGroup("bad-all-dict", ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "ipv6_cidr_blocks": ["::/0"]}])
aws.vpc.SecurityGroupIngressRule("bad-vpc-all", security_group_id="sg-1", ip_protocol="-1", cidr_ipv4="0.0.0.0/0")
aws.ec2.SecurityGroup("good-web", ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
# The provider takes protocol as a string, but accepts the number Python programs often write.
aws.ec2.SecurityGroup("bad-all-int", ingress=[{"protocol": -1, "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])
aws.ec2.SecurityGroupRule("bad-rule-int", type="ingress", security_group_id="sg-1", protocol=6, from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])
