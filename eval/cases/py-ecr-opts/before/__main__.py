import pulumi
import pulumi_aws as aws

api = aws.ecr.Repository(
    "api",
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
    opts=pulumi.ResourceOptions(retain_on_delete=True),
)
