import * as aws from "@pulumi/aws";

const uploadsArgs: aws.s3.BucketArgs = {
    acl: "authenticated-read",
    forceDestroy: false,
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "acme-access-logs", targetPrefix: "uploads/" }],
};

export const uploads = new aws.s3.Bucket("uploads", uploadsArgs);
