import pulumi_aws as aws

aws.redshift.Cluster("good-encrypted", cluster_identifier="bi", node_type="ra3.xlplus", encrypted=True)
