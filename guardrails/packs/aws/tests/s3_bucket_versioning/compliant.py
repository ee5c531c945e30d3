import pulumi
import pulumi_aws as aws

config = pulumi.Config()

aws.s3.Bucket("good-on", versioning=aws.s3.BucketVersioningArgs(enabled=True))
aws.s3.Bucket("good-configured", versioning=aws.s3.BucketVersioningArgs(enabled=config.require_bool("versioning")))

# pulumi-aws 7: versioning is a resource that refers to the bucket.
good_v7 = aws.s3.Bucket("good-v7")
aws.s3.BucketVersioning("good-v7-versioning",
    bucket=good_v7.id,
    versioning_configuration={"status": "Enabled"})
