import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.ec2.SecurityGroup(
    "good-ssh-office",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["10.0.0.0/8"])],
)
# The source range is configuration: unknown, not reported.
aws.ec2.SecurityGroup(
    "good-configured",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=[config.require("admin_cidr")])],
)
