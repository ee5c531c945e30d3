import * as aws from "@pulumi/aws";

export const logs = new aws.ebs.Volume("logs", { availabilityZone: "us-east-1b", size: 20, encrypted: false });
