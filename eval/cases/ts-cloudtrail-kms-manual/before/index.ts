import * as aws from "@pulumi/aws";

export const trail = new aws.cloudtrail.Trail("org", {
    s3BucketName: "acme-org-trail",
    isOrganizationTrail: true,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableLogFileValidation: true,
});
