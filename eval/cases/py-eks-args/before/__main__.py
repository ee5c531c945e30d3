import pulumi_aws as aws

cluster = aws.eks.Cluster(
    "platform",
    role_arn="arn:aws:iam::123456789012:role/eks",
    vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"]),
)
