import pulumi_aws as aws

aws.ecr.Repository("good-scan", image_scanning_configuration={"scan_on_push": True})
