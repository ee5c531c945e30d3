import * as aws from "@pulumi/aws";

new aws.ebs.Volume("good-data", { availabilityZone: "us-east-1a", size: 100, encrypted: true });
