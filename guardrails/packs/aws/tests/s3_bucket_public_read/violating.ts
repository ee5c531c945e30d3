import * as aws from "@pulumi/aws";

const bad = new aws.s3.Bucket("bad-site", { acl: "public-read", website: { indexDocument: "index.html" } });
const badV2 = new aws.s3.BucketV2("bad-uploads", { acl: "public-read-write" });
new aws.s3.BucketAclV2("bad-acl", { bucket: badV2.id, acl: "authenticated-read" });
new aws.s3.Bucket("good-logs", { acl: "log-delivery-write" });
// pulumi-aws 7: the ACL is its own resource.
const v7 = new aws.s3.Bucket("v7-site");
new aws.s3.BucketAcl("bad-v7-acl", { bucket: v7.id, acl: "public-read" });
new aws.s3.BucketAcl("good-v7-acl", { bucket: v7.id, acl: "private" });
