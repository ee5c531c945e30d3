import * as aws from "@pulumi/aws";

const media = new aws.s3.BucketV2("media", { forceDestroy: false });

new aws.s3.BucketVersioningV2("media", {
    bucket: media.id,
    versioningConfiguration: {
        status: "Suspended",
    },
});
