import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("good-encrypted", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: true });
