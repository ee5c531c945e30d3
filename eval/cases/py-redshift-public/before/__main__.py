import pulumi
import pulumi_aws as aws

config = pulumi.Config()

events = aws.redshift.Cluster(
    "events",
    cluster_identifier="events",
    database_name="events",
    master_username="admin",
    master_password=config.require_secret("events_password"),
    node_type="ra3.4xlarge",
    cluster_type="multi-node",
    number_of_nodes=3,
    encrypted=True,
    publicly_accessible=True,
    skip_final_snapshot=False,
    final_snapshot_identifier="events-final",
)
