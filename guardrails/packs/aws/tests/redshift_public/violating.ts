import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("bad-public", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", publiclyAccessible: true });
new aws.redshift.Cluster("good-private", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", publiclyAccessible: false });
