"""Analytics platform: raw data lake, a warehouse database, workers and their keys."""

import pulumi
import pulumi_aws as aws
from pulumi_aws import ec2, kms

from storage import data_volume

config = pulumi.Config()
tags = {"app": "analytics", "stack": pulumi.get_stack()}

# planted: public canned ACL, no versioning, no access logs
raw = aws.s3.Bucket(
    "raw-events",
    acl="public-read-write",
    tags=tags,
)

# Compliant: encrypted with KMS, private.
curated = aws.s3.Bucket(
    "curated",
    acl="private",
    server_side_encryption_configuration=aws.s3.BucketServerSideEncryptionConfigurationArgs(
        rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms",
            ),
        ),
    ),
    versioning=aws.s3.BucketVersioningArgs(enabled=True),
    loggings=[aws.s3.BucketLoggingArgs(target_bucket="analytics-access-logs", target_prefix="curated/")],
    tags=tags,
)

# planted: RDP and all traffic from anywhere over IPv6
workers = ec2.SecurityGroup(
    "workers",
    description="analytics workers",
    ingress=[
        ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=3389, to_port=3389, cidr_blocks=["0.0.0.0/0"]),
        ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, ipv6_cidr_blocks=["::/0"]),
    ],
    tags=tags,
)

# Compliant: internal traffic only.
internal = ec2.SecurityGroup(
    "internal",
    description="internal services",
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}],
    tags=tags,
)

WAREHOUSE = {
    "engine": "aurora-postgresql",
    "master_username": "analytics",
    "skip_final_snapshot": True,
    "backup_retention_period": 7,
    "deletion_protection": True,
}

# planted: storage not encrypted
warehouse = aws.rds.Cluster(
    "warehouse",
    master_password=config.require_secret("warehouse_password"),
    vpc_security_group_ids=[internal.id],
    **WAREHOUSE,
)

# planted: publicly accessible
aws.rds.ClusterInstance(
    "warehouse-1",
    cluster_identifier=warehouse.id,
    instance_class="db.r6g.large",
    engine="aurora-postgresql",
    publicly_accessible=True,
)

# Compliant: rotation on.
events_key = kms.Key("events-key", description="event stream", enable_key_rotation=True)

# planted: rotation off
kms.Key("exports-key", aws.kms.KeyArgs(description="exports", enable_key_rotation=False))

# Compliant: immutable tags, scanned on push.
aws.ecr.Repository(
    "workers",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
    tags=tags,
)

# Compliant: point-in-time recovery on.
aws.dynamodb.Table(
    "job-state",
    attributes=[aws.dynamodb.TableAttributeArgs(name="job_id", type="S")],
    hash_key="job_id",
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    tags=tags,
)

# Compliant: private API endpoint, secrets encrypted with the events key.
aws.eks.Cluster(
    "workers",
    role_arn=config.require("eks_role_arn"),
    vpc_config=aws.eks.ClusterVpcConfigArgs(
        subnet_ids=config.require_object("private_subnet_ids"),
        endpoint_private_access=True,
        endpoint_public_access=False,
    ),
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"],
        provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=events_key.arn),
    ),
    tags=tags,
)

scratch = data_volume("scratch", size=200)

pulumi.export("raw_bucket", raw.bucket)
pulumi.export("curated_bucket", curated.bucket)
pulumi.export("events_key", events_key.arn)
pulumi.export("scratch_volume", scratch.id)
