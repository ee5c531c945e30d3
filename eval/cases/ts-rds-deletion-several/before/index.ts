import * as aws from "@pulumi/aws";

export const orders = new aws.rds.Instance("orders", {
    engine: "postgres",
    instanceClass: "db.t4g.medium",
    allocatedStorage: 100,
    storageEncrypted: true,
    backupRetentionPeriod: 14,
    deletionProtection: true,
});

export const analytics = new aws.rds.Instance("analytics", {
    engine: "postgres",
    instanceClass: "db.r6g.large",
    allocatedStorage: 500,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
});

export const sessions = new aws.rds.Instance("sessions", {
    engine: "mysql",
    instanceClass: "db.t4g.small",
    allocatedStorage: 20,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
});
