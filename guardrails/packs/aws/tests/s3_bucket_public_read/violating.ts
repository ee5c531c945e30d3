import * as aws from "@pulumi/aws";

const bad = new aws.s3.Bucket("bad-site", { acl: "public-read", website: { indexDocument: "index.html" } });
const badV2 = new aws.s3.BucketV2("bad-uploads", { acl: "public-read-write" });
new aws.s3.BucketAclV2("bad-acl", { bucket: badV2.id, acl: "authenticated-read" });
new aws.s3.Bucket("good-logs", { acl: "log-delivery-write" });
