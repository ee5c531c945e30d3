import * as aws from "@pulumi/aws";

const data = new aws.s3.BucketV2("data");

new aws.s3.BucketServerSideEncryptionConfigurationV2("data", {
    bucket: data.id,
    rules: [{ bucketKeyEnabled: true }],
});
