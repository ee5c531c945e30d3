import pulumi_aws as aws

scratch = aws.s3.Bucket("scratch")
