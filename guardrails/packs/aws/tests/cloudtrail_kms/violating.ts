import * as aws from "@pulumi/aws";

new aws.cloudtrail.Trail("bad-default", { s3BucketName: "acme-trail", isMultiRegionTrail: true });
new aws.cloudtrail.Trail("good-key", { s3BucketName: "acme-trail", kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" });
