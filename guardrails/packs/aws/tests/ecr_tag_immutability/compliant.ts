import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";

new aws.ecr.Repository("good-app", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });

new awsx.ecr.Repository("good-component", { imageTagMutability: "IMMUTABLE" });
