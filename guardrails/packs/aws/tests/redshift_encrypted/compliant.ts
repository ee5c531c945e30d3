import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("good-encrypted", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: true });
new aws.redshift.Cluster("good-v7", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: "true" });
new aws.redshift.Cluster("good-default", { clusterIdentifier: "bi", nodeType: "ra3.xlplus" });
