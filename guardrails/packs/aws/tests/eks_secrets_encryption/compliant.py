import pulumi_aws as aws
import pulumi_eks as eks

aws.eks.Cluster(
    "good-secrets",
    role_arn="arn:aws:iam::111122223333:role/eks",
    vpc_config={"subnet_ids": ["subnet-1"]},
    encryption_config={"resources": ["secrets"], "provider": {"key_arn": "arn:aws:kms:us-east-1:111122223333:key/1"}},
)

eks.Cluster("good-component", encryption_config_key_arn="arn:aws:kms:us-east-1:123456789012:key/abc")
