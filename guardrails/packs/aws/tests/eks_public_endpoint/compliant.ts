import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";

new aws.eks.Cluster("good-private", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: false },
});

new eks.Cluster("good-component", { endpointPublicAccess: false, endpointPrivateAccess: true });
