import pulumi
import pulumi_aws as aws

config = pulumi.Config()

for team in ["finance", "marketing"]:
    aws.redshift.Cluster(
        f"{team}-warehouse",
        cluster_identifier=f"{team}-warehouse",
        database_name=team,
        master_username="admin",
        master_password=config.require_secret(f"{team}_warehouse_password"),
        node_type="ra3.xlplus",
        cluster_type="single-node",
        skip_final_snapshot=True,
        encrypted=False,
    )
