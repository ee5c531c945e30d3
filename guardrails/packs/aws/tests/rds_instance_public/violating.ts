import * as aws from "@pulumi/aws";

new aws.rds.Instance("bad-db", {
    engine: "postgres", instanceClass: "db.t3.micro", allocatedStorage: 20,
    publiclyAccessible: true, storageEncrypted: true,
});
new aws.rds.ClusterInstance("bad-aurora-1", { clusterIdentifier: "c", instanceClass: "db.r6g.large", engine: "aurora-postgresql", publiclyAccessible: true });
new aws.rds.Instance("good-db", { engine: "postgres", instanceClass: "db.t3.micro", publiclyAccessible: false });
