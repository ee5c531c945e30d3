import pulumi
import pulumi_aws as aws

api = aws.ec2.Instance(
    "api",
    aws.ec2.InstanceArgs(
        ami="ami-0abcdef1234567890",
        instance_type="c7g.large",
        subnet_id="subnet-0a1b2c3d",
        vpc_security_group_ids=["sg-0a1b2c3d4e5f60718"],
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_size=30, volume_type="gp3", encrypted=True),
        tags={"Name": "api"},
    ),
    opts=pulumi.ResourceOptions(ignore_changes=["ami"]),
)
