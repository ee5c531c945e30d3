import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

export function serviceDatabase(service: string, subnetGroup: aws.rds.SubnetGroup): aws.rds.Instance {
    return new aws.rds.Instance(`${service}-db`, {
        engine: "postgres",
        engineVersion: "16.3",
        instanceClass: "db.t4g.medium",
        allocatedStorage: 50,
        dbSubnetGroupName: subnetGroup.name,
        username: service,
        password: config.requireSecret(`${service}DbPassword`),
        storageEncrypted: true,
        deletionProtection: true,
        backupRetentionPeriod: 1,
        skipFinalSnapshot: false,
    });
}
