import * as aws from "@pulumi/aws";

const bucket = new aws.s3.BucketV2("data");
new aws.s3.BucketPublicAccessBlock("bad-partial", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true });
new aws.s3.BucketPublicAccessBlock("bad-none", { bucket: bucket.id });
new aws.s3.AccountPublicAccessBlock("bad-account", {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: false,
});
new aws.s3.BucketPublicAccessBlock("good-all", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
