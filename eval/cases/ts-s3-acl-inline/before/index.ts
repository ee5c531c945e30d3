import * as aws from "@pulumi/aws";

export const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    tags: { team: "web" },
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "acme-access-logs", targetPrefix: "site/" }],
});
