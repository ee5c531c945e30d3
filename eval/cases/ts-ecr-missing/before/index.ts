import * as aws from "@pulumi/aws";

export const api = new aws.ecr.Repository("api", {
    imageScanningConfiguration: { scanOnPush: true },
});
