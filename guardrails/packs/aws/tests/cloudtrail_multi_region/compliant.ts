import * as aws from "@pulumi/aws";

new aws.cloudtrail.Trail("good-all", { s3BucketName: "acme-trail", isMultiRegionTrail: true, enableLogFileValidation: true });
