import * as aws from "@pulumi/aws";

const uploadsArgs: aws.s3.BucketArgs = {
    acl: "authenticated-read",
    forceDestroy: false,
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    },
};

export const uploads = new aws.s3.Bucket("uploads", uploadsArgs);
