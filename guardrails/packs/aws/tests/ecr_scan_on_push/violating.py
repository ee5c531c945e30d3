import pulumi_aws as aws
import pulumi_awsx as awsx

aws.ecr.Repository("bad-default", image_tag_mutability="IMMUTABLE")
aws.ecr.Repository("good-scan", image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True))

awsx.ecr.Repository("bad-component", force_delete=True)
