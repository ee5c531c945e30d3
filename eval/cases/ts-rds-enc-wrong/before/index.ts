import * as aws from "@pulumi/aws";

export const warehouse = new aws.rds.Cluster("warehouse", {
    engine: "aurora-postgresql",
    masterUsername: "admin",
    backupRetentionPeriod: 14,
    deletionProtection: true,
    storageEncrypted: false,
});
