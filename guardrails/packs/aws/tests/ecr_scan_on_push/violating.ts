import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";

new aws.ecr.Repository("bad-default", { imageTagMutability: "IMMUTABLE" });
new aws.ecr.Repository("bad-off", { imageScanningConfiguration: { scanOnPush: false } });
new aws.ecr.Repository("good-scan", { imageScanningConfiguration: { scanOnPush: true } });

new awsx.ecr.Repository("bad-component", { forceDelete: true });
