import pulumi
import pulumi_aws as aws

config = pulumi.Config()
# The network team's settings: subnets, security groups, and possibly the private endpoint flag.
network = config.require_object("eks_network")

cluster = aws.eks.Cluster(
    "platform",
    role_arn="arn:aws:iam::123456789012:role/eks",
    vpc_config={**network, "endpoint_public_access": True},
    encryption_config={"resources": ["secrets"], "provider": {"key_arn": config.require("eks_secrets_key_arn")}},
)
