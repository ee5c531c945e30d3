import * as aws from "@pulumi/aws";

const bucket = new aws.s3.BucketV2("data");
new aws.s3.BucketVersioningV2("bad-suspended", {
    bucket: bucket.id,
    versioningConfiguration: { status: "Suspended" },
});
new aws.s3.BucketVersioning("bad-disabled", { bucket: bucket.id, versioningConfiguration: { status: "Disabled" } });
new aws.s3.BucketVersioningV2("good-enabled", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
