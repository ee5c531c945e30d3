import * as aws from "@pulumi/aws";

const bucket = new aws.s3.BucketV2("data");
const key = new aws.kms.Key("key", { enableKeyRotation: true });
new aws.s3.BucketServerSideEncryptionConfigurationV2("bad-no-default", {
    bucket: bucket.id,
    rules: [{ bucketKeyEnabled: true }],
});
new aws.s3.BucketServerSideEncryptionConfigurationV2("bad-algorithm", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "DES" } }],
});
new aws.s3.BucketServerSideEncryptionConfigurationV2("good-kms", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn } }],
});
