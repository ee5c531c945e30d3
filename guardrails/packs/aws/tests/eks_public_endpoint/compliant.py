import pulumi_aws as aws
import pulumi_eks as eks

aws.eks.Cluster("good-private", role_arn="arn:aws:iam::123456789012:role/eks",
                vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"], endpoint_private_access=True, endpoint_public_access=False))

eks.Cluster("good-component", endpoint_public_access=False, endpoint_private_access=True)
