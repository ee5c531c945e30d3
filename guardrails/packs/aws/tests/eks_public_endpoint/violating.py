import pulumi_aws as aws
import pulumi_eks as eks

aws.eks.Cluster("bad-default", role_arn="arn:aws:iam::123456789012:role/eks",
                vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"]))

aws.eks.Cluster("bad-open-cidrs", role_arn="arn:aws:iam::123456789012:role/eks",
                vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"], endpoint_public_access=True, public_access_cidrs=["0.0.0.0/0"]))

aws.eks.Cluster("bad-narrow-cidrs", role_arn="arn:aws:iam::123456789012:role/eks",
                vpc_config={"subnet_ids": ["subnet-1"], "public_access_cidrs": ["203.0.113.0/24"]})

eks.Cluster("bad-component", instance_type="t3.medium")
