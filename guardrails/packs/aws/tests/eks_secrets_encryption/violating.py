import pulumi_aws as aws
import pulumi_eks as eks

key = aws.kms.Key("eks", enable_key_rotation=True)
aws.eks.Cluster("bad-plain", role_arn="arn:aws:iam::111122223333:role/eks", vpc_config={"subnet_ids": ["subnet-1"]})
aws.eks.Cluster(
    "good-secrets",
    role_arn="arn:aws:iam::111122223333:role/eks",
    vpc_config={"subnet_ids": ["subnet-1"]},
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"],
        provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn),
    ),
)

eks.Cluster("bad-component", instance_type="t3.medium")
