import * as aws from "@pulumi/aws";

// Both buckets share `common`, so both violate aws-s3-bucket-public-read; the fix for `a` must not
// change `b` through the shared object.
const common = {
    acl: "public-read",
    forceDestroy: true,
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "acme-access-logs" }],
};

new aws.s3.Bucket("a", common);
new aws.s3.Bucket("b", common);
