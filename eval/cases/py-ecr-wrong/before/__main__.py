import pulumi_aws as aws

workers = aws.ecr.Repository("workers", image_tag_mutability="MUTABLE", force_delete=False)
