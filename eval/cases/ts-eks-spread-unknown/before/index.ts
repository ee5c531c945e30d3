import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
// The network team's settings: subnets, security groups, and possibly the private endpoint flag.
const network = config.requireObject<aws.types.input.eks.ClusterVpcConfig>("eksNetwork");

export const cluster = new aws.eks.Cluster("platform", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { ...network, endpointPublicAccess: true },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: config.require("eksSecretsKeyArn") } },
});
