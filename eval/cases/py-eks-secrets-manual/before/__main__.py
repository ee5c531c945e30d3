import pulumi_aws as aws

cluster = aws.eks.Cluster(
    "data",
    role_arn="arn:aws:iam::123456789012:role/eks-data",
    version="1.30",
    vpc_config=aws.eks.ClusterVpcConfigArgs(
        subnet_ids=["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        endpoint_private_access=True,
        endpoint_public_access=False,
    ),
)
