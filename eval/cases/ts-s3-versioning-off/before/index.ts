import * as aws from "@pulumi/aws";

export const archive = new aws.s3.Bucket("archive", {
    acl: "private",
    versioning: { enabled: false, mfaDelete: false },
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    },
    loggings: [{ targetBucket: "acme-access-logs", targetPrefix: "archive/" }],
    lifecycleRules: [{ enabled: true, transitions: [{ days: 30, storageClass: "GLACIER" }] }],
});
