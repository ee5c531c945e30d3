import * as aws from "@pulumi/aws";

new aws.cloudtrail.Trail("bad-default", { s3BucketName: "acme-trail" });
new aws.cloudtrail.Trail("bad-off", { s3BucketName: "acme-trail", enableLogFileValidation: false });
new aws.cloudtrail.Trail("good-on", { s3BucketName: "acme-trail", enableLogFileValidation: true });
