import pulumi_aws as aws
import pulumi_awsx as awsx

aws.ecr.Repository("bad-app")

awsx.ecr.Repository("bad-component")
