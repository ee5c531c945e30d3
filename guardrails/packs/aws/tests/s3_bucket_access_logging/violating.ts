import * as aws from "@pulumi/aws";

new aws.s3.Bucket("bad-silent");
new aws.s3.Bucket("bad-empty", { loggings: [] });
new aws.s3.Bucket("good-logged", { loggings: [{ targetBucket: "acme-access-logs", targetPrefix: "good/" }] });
