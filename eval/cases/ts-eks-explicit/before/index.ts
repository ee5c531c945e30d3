import * as aws from "@pulumi/aws";

export const cluster = new aws.eks.Cluster("platform", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, endpointPrivateAccess: false },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:alias/eks" } },
});
