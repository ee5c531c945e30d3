import pulumi_aws as aws

workers = aws.ecr.Repository("workers", image_tag_mutability="MUTABLE", image_scanning_configuration={"scan_on_push": True}, force_delete=False)
