import * as aws from "@pulumi/aws";

new aws.rds.Instance("good-db", { engine: "postgres", instanceClass: "db.t3.micro", publiclyAccessible: false });
new aws.rds.Instance("good-default", { engine: "mysql", instanceClass: "db.t3.micro" });
