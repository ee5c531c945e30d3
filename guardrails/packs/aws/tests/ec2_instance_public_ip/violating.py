import pulumi_aws as aws

aws.ec2.Instance("bad-public", ami="ami-0abcdef1234567890", instance_type="t3.micro", associate_public_ip_address=True)
aws.ec2.LaunchTemplate(
    "bad-template",
    image_id="ami-0abcdef1234567890",
    network_interfaces=[aws.ec2.LaunchTemplateNetworkInterfaceArgs(associate_public_ip_address="true")],
)
aws.ec2.Instance("good-default", ami="ami-0abcdef1234567890", instance_type="t3.micro")
