import pulumi_aws as aws

aws.ec2.LaunchTemplate("good-required", image_id="ami-0abcdef1234567890", metadata_options={"http_tokens": "required"})
