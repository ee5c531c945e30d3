"""Block storage for the workers."""

import pulumi_aws as aws


def data_volume(name: str, size: int) -> aws.ebs.Volume:
    # planted: not encrypted
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=size, tags={"app": "analytics"})


def encrypted_volume(name: str, size: int) -> aws.ebs.Volume:
    # Compliant.
    return aws.ebs.Volume(f"{name}-secure", availability_zone="us-east-1a", size=size, encrypted=True)
