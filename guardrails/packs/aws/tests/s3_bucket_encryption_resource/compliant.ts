import * as aws from "@pulumi/aws";

const bucket = new aws.s3.BucketV2("data");
const key = new aws.kms.Key("key", { enableKeyRotation: true });
// The key is another resource's output; the algorithm is still known.
new aws.s3.BucketServerSideEncryptionConfigurationV2("good-kms", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
});
