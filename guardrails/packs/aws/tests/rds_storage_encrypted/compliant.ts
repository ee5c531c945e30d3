import * as aws from "@pulumi/aws";

new aws.rds.Instance("good-db", { engine: "postgres", instanceClass: "db.t3.micro", storageEncrypted: true });
new aws.rds.Cluster("good-cluster", { engine: "aurora-postgresql", storageEncrypted: true });
