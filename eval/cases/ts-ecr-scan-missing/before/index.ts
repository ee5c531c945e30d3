import * as aws from "@pulumi/aws";

export const api = new aws.ecr.Repository("api", {
    imageTagMutability: "IMMUTABLE",
    encryptionConfigurations: [{ encryptionType: "KMS" }],
    tags: { team: "platform" },
});
