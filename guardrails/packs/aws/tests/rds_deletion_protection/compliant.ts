import * as aws from "@pulumi/aws";

new aws.rds.Instance("good-on", { engine: "postgres", instanceClass: "db.t4g.micro", deletionProtection: true });
