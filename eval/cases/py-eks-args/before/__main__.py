import pulumi_aws as aws

cluster = aws.eks.Cluster(
    "platform",
    role_arn="arn:aws:iam::123456789012:role/eks",
    vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"]),
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"],
        provider=aws.eks.ClusterEncryptionConfigProviderArgs(
            key_arn="arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        ),
    ),
)
