import * as aws from "@pulumi/aws";

new aws.cloudtrail.Trail("good-on", { s3BucketName: "acme-trail", enableLogFileValidation: true });
