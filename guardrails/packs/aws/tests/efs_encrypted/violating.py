import pulumi_aws as aws

aws.efs.FileSystem("bad-default", performance_mode="generalPurpose")
aws.efs.FileSystem("good-on", encrypted=True)
