import * as aws from "@pulumi/aws";

new aws.s3.Bucket("bad-algorithm", {
    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "DES" } } },
});
// S3 encrypts every new bucket with SSE-S3 by default: no configuration is not a finding.
new aws.s3.Bucket("good-default", { acl: "private" });
