import * as aws from "@pulumi/aws";

new aws.rds.Instance("bad-default", { engine: "postgres", instanceClass: "db.t4g.micro", allocatedStorage: 20 });
new aws.rds.Instance("bad-off", { engine: "postgres", instanceClass: "db.t4g.micro", backupRetentionPeriod: 0 });
new aws.rds.Cluster("bad-short", { engine: "aurora-postgresql", backupRetentionPeriod: 3 });
new aws.rds.Instance("good-week", { engine: "postgres", instanceClass: "db.t4g.micro", backupRetentionPeriod: 7 });
