import * as aws from "@pulumi/aws";

new aws.rds.Instance("bad-db", { engine: "postgres", instanceClass: "db.t3.micro" });
new aws.rds.Cluster("bad-cluster", { engine: "aurora-postgresql", storageEncrypted: false });
new aws.rds.Instance("good-replica", { instanceClass: "db.t3.micro", replicateSourceDb: "source-db" });
