import pulumi_aws as aws

shared_args = aws.efs.FileSystemArgs(
    performance_mode="generalPurpose",
    throughput_mode="elastic",
    encrypted=False,
    tags={"Name": "shared"},
)

shared = aws.efs.FileSystem("shared", shared_args)
