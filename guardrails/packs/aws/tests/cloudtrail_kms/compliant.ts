import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("trail", { enableKeyRotation: true });
// The key's ARN is unknown statically: never reported.
new aws.cloudtrail.Trail("good-key", { s3BucketName: "acme-trail", kmsKeyId: key.arn });
