import * as aws from "@pulumi/aws";

new aws.ecr.Repository("good-app", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
