import * as aws from "@pulumi/aws";

new aws.redshift.Cluster("bad-off", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: false });
// pulumi-aws 7 types `encrypted` as a string.
new aws.redshift.Cluster("bad-off-v7", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: "false" });
// New clusters are encrypted by default.
new aws.redshift.Cluster("good-default", { clusterIdentifier: "bi", nodeType: "ra3.xlplus" });
new aws.redshift.Cluster("good-encrypted", { clusterIdentifier: "bi", nodeType: "ra3.xlplus", encrypted: true });
