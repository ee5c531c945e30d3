import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";

const key = new aws.kms.Key("eks", { enableKeyRotation: true });
new aws.eks.Cluster("bad-plain", { roleArn: "arn:aws:iam::111122223333:role/eks", vpcConfig: { subnetIds: ["subnet-1"] } });
new aws.eks.Cluster("bad-other", {
    roleArn: "arn:aws:iam::111122223333:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"] },
    encryptionConfig: { resources: ["configmaps"], provider: { keyArn: key.arn } },
});
new aws.eks.Cluster("good-secrets", {
    roleArn: "arn:aws:iam::111122223333:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
});

new eks.Cluster("bad-component", { instanceType: "t3.medium" });
