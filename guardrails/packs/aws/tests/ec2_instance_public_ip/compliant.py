import pulumi_aws as aws

aws.ec2.Instance("good-private", ami="ami-0abcdef1234567890", instance_type="t3.micro", associate_public_ip_address=False)
aws.ec2.LaunchTemplate("good-template", image_id="ami-0abcdef1234567890")
