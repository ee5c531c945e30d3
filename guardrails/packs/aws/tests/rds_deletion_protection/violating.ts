import * as aws from "@pulumi/aws";

new aws.rds.Instance("bad-default", { engine: "postgres", instanceClass: "db.t4g.micro" });
new aws.rds.Cluster("bad-off", { engine: "aurora-postgresql", deletionProtection: false });
new aws.rds.Cluster("good-on", { engine: "aurora-postgresql", deletionProtection: true });
