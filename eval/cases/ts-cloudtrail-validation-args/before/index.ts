import * as aws from "@pulumi/aws";

const auditTrailArgs: aws.cloudtrail.TrailArgs = {
    s3BucketName: "acme-audit-trail",
    s3KeyPrefix: "cloudtrail",
    includeGlobalServiceEvents: true,
    isMultiRegionTrail: true,
    kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/8c2f4d1e-7b3a-4f5e-9d6c-0a1b2c3d4e5f",
    enableLogFileValidation: false,
};

export const trail = new aws.cloudtrail.Trail("audit", auditTrailArgs);
