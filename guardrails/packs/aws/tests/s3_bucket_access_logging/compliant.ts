import * as aws from "@pulumi/aws";

new aws.s3.Bucket("good-logged", { loggings: [{ targetBucket: "acme-access-logs" }] });
// pulumi-aws 7: a BucketLogging resource logs the bucket; the log bucket itself is a target.
const goodLogs = new aws.s3.Bucket("good-logs");
const goodSite = new aws.s3.Bucket("good-site");
new aws.s3.BucketLogging("good-site-logging", {
    bucket: goodSite.id,
    targetBucket: goodLogs.id,
    targetPrefix: "site/",
});
new aws.s3.Bucket("good-inline-v7", { logging: { targetBucket: "acme-access-logs" } });
new aws.s3.Bucket("good-delivery", { acl: "log-delivery-write" });
