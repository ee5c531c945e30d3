import pulumi_aws as aws

jobs = aws.dynamodb.Table(
    "jobs",
    attributes=[aws.dynamodb.TableAttributeArgs(name="job_id", type="S")],
    hash_key="job_id",
    billing_mode="PAY_PER_REQUEST",
)
