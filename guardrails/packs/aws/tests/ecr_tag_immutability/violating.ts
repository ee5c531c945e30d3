import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";

new aws.ecr.Repository("bad-app", {});
new aws.ecr.Repository("bad-mutable", { imageTagMutability: "MUTABLE" });

new awsx.ecr.Repository("bad-component", { imageTagMutability: "MUTABLE" });
