import * as aws from "@pulumi/aws";

new aws.cloudtrail.Trail("bad-default", { s3BucketName: "acme-trail" });
new aws.cloudtrail.Trail("bad-single", { s3BucketName: "acme-trail", isMultiRegionTrail: false });
new aws.cloudtrail.Trail("good-all", { s3BucketName: "acme-trail", isMultiRegionTrail: true });
