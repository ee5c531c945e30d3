import * as aws from "@pulumi/aws";

const assets = new aws.s3.BucketV2("assets");

new aws.s3.BucketPublicAccessBlock("assets", {
    bucket: assets.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: false,
});
