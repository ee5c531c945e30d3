import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

new aws.s3.Bucket("good-on", { versioning: { enabled: true, mfaDelete: false } });
// Unknown statically: never reported.
new aws.s3.Bucket("good-configured", { versioning: { enabled: config.requireBoolean("versioning") } });
// pulumi-aws 7: versioning is a resource that refers to the bucket.
const goodV7 = new aws.s3.Bucket("good-v7");
new aws.s3.BucketVersioning("good-v7-versioning", {
    bucket: goodV7.id,
    versioningConfiguration: { status: "Enabled" },
});
