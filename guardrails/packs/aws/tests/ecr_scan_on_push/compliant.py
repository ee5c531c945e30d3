import pulumi_aws as aws
import pulumi_awsx as awsx

aws.ecr.Repository("good-scan", image_scanning_configuration={"scan_on_push": True})

awsx.ecr.Repository("good-component", image_scanning_configuration={"scan_on_push": True})
