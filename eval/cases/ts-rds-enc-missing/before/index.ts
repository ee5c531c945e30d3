import * as aws from "@pulumi/aws";

export const reports = new aws.rds.Instance("reports", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 50,
    backupRetentionPeriod: 7,
    deletionProtection: true,
});
