import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("good-default", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: true });
