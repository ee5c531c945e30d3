import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";

new aws.eks.Cluster("bad-default", { roleArn: "arn:aws:iam::123456789012:role/eks", vpcConfig: { subnetIds: ["subnet-1", "subnet-2"] } });
new aws.eks.Cluster("bad-explicit", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true },
});
new aws.eks.Cluster("bad-open-cidrs", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] },
});
new aws.eks.Cluster("bad-narrow-cidrs", {
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], publicAccessCidrs: ["203.0.113.0/24"] },
});

// @pulumi/eks: the endpoint is public unless the component is told otherwise.
new eks.Cluster("bad-component", { instanceType: "t3.medium" });
