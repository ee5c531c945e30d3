import pulumi_aws as aws

cluster = aws.eks.Cluster("platform", role_arn="arn:aws:iam::123456789012:role/eks", vpc_config={"subnet_ids": ["subnet-1"]}, encryption_config={"resources": ["secrets"], "provider": {"key_arn": "arn:aws:kms:us-east-1:123456789012:alias/eks"}})
