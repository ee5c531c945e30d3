import pulumi_aws as aws

aws.ecr.Repository("good-app", image_tag_mutability="IMMUTABLE")
