import pulumi
import pulumi_aws as aws

config = pulumi.Config()

# Whether the private endpoint is on is a per-stack decision: the fix would have to override it.
cluster = aws.eks.Cluster(
    "platform",
    role_arn="arn:aws:iam::123456789012:role/eks",
    vpc_config=aws.eks.ClusterVpcConfigArgs(
        subnet_ids=["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        endpoint_public_access=True,
        endpoint_private_access=config.require_bool("eks_private_endpoint"),
    ),
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"],
        provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=config.require("eks_secrets_key_arn")),
    ),
)
