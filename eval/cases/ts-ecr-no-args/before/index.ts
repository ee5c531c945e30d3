import * as aws from "@pulumi/aws";

export const worker = new aws.ecr.Repository("worker");
