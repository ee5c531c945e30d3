import * as aws from "@pulumi/aws";

new aws.ec2.Instance("bad-public", { ami: "ami-0abcdef1234567890", instanceType: "t3.micro", associatePublicIpAddress: true });
new aws.ec2.LaunchTemplate("bad-template", {
    imageId: "ami-0abcdef1234567890",
    networkInterfaces: [{ associatePublicIpAddress: "true", deviceIndex: 0 }],
});
new aws.ec2.Instance("good-private", { ami: "ami-0abcdef1234567890", instanceType: "t3.micro", associatePublicIpAddress: false });
