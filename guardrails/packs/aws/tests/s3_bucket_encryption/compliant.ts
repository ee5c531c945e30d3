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
