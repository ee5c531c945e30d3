import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

const bucket = new aws.s3.BucketV2("data");
new aws.s3.BucketPublicAccessBlock("good-all", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
// Unknown statically: never reported.
new aws.s3.BucketPublicAccessBlock("good-configured", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: config.requireBoolean("blockPolicy"),
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
