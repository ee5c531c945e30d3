import * as aws from "@pulumi/aws";

new aws.s3.Bucket("bad-default");
new aws.s3.Bucket("bad-off", { versioning: { enabled: false } });
new aws.s3.Bucket("good-on", { versioning: { enabled: true } });
