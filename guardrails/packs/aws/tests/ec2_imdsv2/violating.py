import pulumi_aws as aws

aws.ec2.Instance("bad-default", ami="ami-0abcdef1234567890", instance_type="t3.micro")
aws.ec2.Instance(
    "good-required",
    ami="ami-0abcdef1234567890",
    instance_type="t3.micro",
    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
)
