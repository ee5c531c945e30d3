import * as aws from "@pulumi/aws";

new aws.ecr.Repository("bad-app", {});
new aws.ecr.Repository("bad-mutable", { imageTagMutability: "MUTABLE" });
