import * as aws from "@pulumi/aws";

const bucket = new aws.s3.BucketV2("data");
new aws.s3.BucketVersioningV2("good-enabled", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
new aws.s3.BucketVersioning("good-v7", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
