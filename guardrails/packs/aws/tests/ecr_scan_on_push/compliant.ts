import * as aws from "@pulumi/aws";

new aws.ecr.Repository("good-scan", { imageScanningConfiguration: { scanOnPush: true } });
