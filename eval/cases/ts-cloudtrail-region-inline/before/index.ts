import * as aws from "@pulumi/aws";

export const trail = new aws.cloudtrail.Trail("audit", { s3BucketName: "acme-audit-trail", kmsKeyId: "alias/cloudtrail", enableLogFileValidation: true });
