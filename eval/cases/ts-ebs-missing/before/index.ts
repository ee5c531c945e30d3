import * as aws from "@pulumi/aws";

export const scratch = new aws.ebs.Volume("scratch", {
    availabilityZone: "us-east-1a",
    size: 100,
    type: "gp3",
});
