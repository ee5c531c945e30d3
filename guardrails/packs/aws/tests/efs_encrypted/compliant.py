import pulumi_aws as aws

aws.efs.FileSystem("good-on", encrypted=True)
