import * as aws from "@pulumi/aws";

new aws.s3.Bucket("bad-default");
new aws.s3.Bucket("bad-off", { versioning: { enabled: false } });
new aws.s3.Bucket("good-on", { versioning: { enabled: true } });
// A versioning resource for another bucket does not version this one.
const badNeighbour = new aws.s3.Bucket("bad-neighbour");
const goodVersioned = new aws.s3.Bucket("good-versioned");
new aws.s3.BucketVersioning("for-the-other", {
    bucket: goodVersioned.id,
    versioningConfiguration: { status: "Enabled" },
});
