import pulumi_aws as aws

jumpbox = aws.ec2.Instance(
    "jumpbox",
    ami="ami-0abcdef1234567890",
    instance_type="t3.micro",
    subnet_id="subnet-0a1b2c3d",
    associate_public_ip_address=True,
    metadata_options={"http_tokens": "required"},
    tags={"Name": "jumpbox"},
)
