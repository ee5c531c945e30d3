import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

// Whether the private endpoint is on is a per-stack decision: the fix would have to override it.
export const cluster = new aws.eks.Cluster("platform", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: {
        subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        endpointPublicAccess: true,
        endpointPrivateAccess: config.requireBoolean("eksPrivateEndpoint"),
    },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: config.require("eksSecretsKeyArn") } },
});
