import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

export const orders = new aws.rds.Instance("orders", {
    engine: "postgres",
    engineVersion: "16.3",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "app",
    password: config.requireSecret("dbPassword"),
    publiclyAccessible: true,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    skipFinalSnapshot: true,
});
