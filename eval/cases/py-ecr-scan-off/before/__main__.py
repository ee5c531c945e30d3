import pulumi_aws as aws

jobs = aws.ecr.Repository(
    "jobs",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
        scan_on_push=False,
    ),
)
