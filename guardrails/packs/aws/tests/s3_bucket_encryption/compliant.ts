import * as aws from "@pulumi/aws";

const sse = {
    rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
};
new aws.s3.Bucket("good-kms", { serverSideEncryptionConfiguration: sse });
new aws.s3.Bucket("good-aes", {
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});
// pulumi-aws 7: the configuration is its own resource (checked by aws-s3-bucket-encryption-resource).
const goodV7 = new aws.s3.Bucket("good-v7");
new aws.s3.BucketServerSideEncryptionConfiguration("good-v7-sse", {
    bucket: goodV7.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
});
