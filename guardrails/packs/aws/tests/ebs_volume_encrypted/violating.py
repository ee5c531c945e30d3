import pulumi_aws as aws

aws.ebs.Volume("bad-data", availability_zone="us-east-1a", size=100)
