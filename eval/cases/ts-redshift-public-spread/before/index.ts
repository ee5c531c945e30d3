import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

const warehouseDefaults = {
    databaseName: "analytics",
    masterUsername: "admin",
    nodeType: "ra3.xlplus",
    clusterType: "single-node",
    encrypted: true,
    skipFinalSnapshot: true,
};

export const reporting = new aws.redshift.Cluster("reporting", {
    ...warehouseDefaults,
    clusterIdentifier: "reporting",
    masterPassword: config.requireSecret("reportingPassword"),
    publiclyAccessible: true,
});

export const staging = new aws.redshift.Cluster("staging", {
    ...warehouseDefaults,
    clusterIdentifier: "staging",
    masterPassword: config.requireSecret("stagingPassword"),
});
