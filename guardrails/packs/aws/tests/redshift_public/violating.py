import pulumi_aws as aws

aws.redshift.Cluster("bad-public", cluster_identifier="bi", node_type="ra3.xlplus", publicly_accessible=True)
