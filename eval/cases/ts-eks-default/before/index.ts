import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

export const cluster = new aws.eks.Cluster("platform", {
    roleArn: config.require("eksRoleArn"),
    vpcConfig: {
        subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
    },
    encryptionConfig: {
        resources: ["secrets"],
        provider: { keyArn: config.require("eksSecretsKeyArn") },
    },
});
