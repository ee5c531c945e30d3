import * as aws from "@pulumi/aws";

export const data = new aws.s3.Bucket("data", {
    acl: "private",
    versioning: { enabled: true },
    loggings: [{ targetBucket: "acme-access-logs", targetPrefix: "data/" }],
});
