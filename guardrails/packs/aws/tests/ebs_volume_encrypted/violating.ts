import * as aws from "@pulumi/aws";

new aws.ebs.Volume("bad-data", { availabilityZone: "us-east-1a", size: 100 });
new aws.ebs.Volume("bad-explicit", { availabilityZone: "us-east-1a", size: 10, encrypted: false });
