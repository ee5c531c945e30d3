import pulumi_aws as aws

aws.rds.ClusterInstance(
    "warehouse-1",
    cluster_identifier="warehouse",
    instance_class="db.r6g.large",
    engine="aurora-postgresql",
    publicly_accessible=True,
)
