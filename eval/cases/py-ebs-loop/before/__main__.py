import pulumi_aws as aws

for zone in ["us-east-1a", "us-east-1b"]:
    aws.ebs.Volume(
        f"cache-{zone}",
        availability_zone=zone,
        size=10,
    )
