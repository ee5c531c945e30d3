import pulumi_aws as aws

aws.redshift.Cluster("bad-off", cluster_identifier="bi", node_type="ra3.xlplus", encrypted=False)
