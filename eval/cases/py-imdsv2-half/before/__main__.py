import pulumi_aws as aws

worker = aws.ec2.Instance(
    "worker",
    ami="ami-0abcdef1234567890",
    instance_type="m7g.large",
    subnet_id="subnet-0a1b2c3d",
    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
        http_endpoint="enabled",
        http_put_response_hop_limit=2,
    ),
    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_size=40, encrypted=True),
    tags={"Name": "worker"},
)
