import * as aws from "@pulumi/aws";

const source = new aws.rds.Instance("good-week", { engine: "postgres", instanceClass: "db.t4g.micro", backupRetentionPeriod: 7 });
// Read replicas take no backups of their own.
new aws.rds.Instance("good-replica", { instanceClass: "db.t4g.micro", replicateSourceDb: source.identifier });
