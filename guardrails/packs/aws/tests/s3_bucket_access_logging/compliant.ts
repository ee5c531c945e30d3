import * as aws from "@pulumi/aws";

new aws.s3.Bucket("good-logged", { loggings: [{ targetBucket: "acme-access-logs" }] });
