import pulumi_aws as aws

# SSH and RDP are open to the world. The team allows administration from its own networks only,
# which remedy.toml names (`admin_cidr_blocks` under `[values]`); HTTPS stays open.
admin = aws.ec2.SecurityGroup(
    "admin",
    description="Administration access",
    vpc_id="vpc-0a1b2c3d4e5f67890",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(description="HTTPS", protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"]),
        aws.ec2.SecurityGroupIngressArgs(description="SSH", protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]),
        aws.ec2.SecurityGroupIngressArgs(
            description="RDP",
            protocol="tcp",
            from_port=3389,
            to_port=3389,
            cidr_blocks=["0.0.0.0/0"],
            ipv6_cidr_blocks=["::/0"],
        ),
    ],
    tags={"Name": "admin"},
)
