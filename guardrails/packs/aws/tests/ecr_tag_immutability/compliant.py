import pulumi_aws as aws
import pulumi_awsx as awsx

aws.ecr.Repository("good-app", image_tag_mutability="IMMUTABLE")

awsx.ecr.Repository("good-component", image_tag_mutability="IMMUTABLE")
