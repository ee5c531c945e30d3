import pulumi_aws as aws


def data_volume(name: str, size: int) -> aws.ebs.Volume:
    return aws.ebs.Volume(f"{name}-data", availability_zone="us-east-1a", size=size)
