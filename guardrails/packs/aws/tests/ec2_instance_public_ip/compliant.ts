import * as aws from "@pulumi/aws";

const sg = new aws.ec2.SecurityGroup("app", { description: "app" });
new aws.ec2.Instance("good-default", { ami: "ami-0abcdef1234567890", instanceType: "t3.micro" });
// Another NIC setting is unknown statically; the public address flag is not.
new aws.ec2.LaunchTemplate("good-template", {
    imageId: "ami-0abcdef1234567890",
    networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: [sg.id] }],
});
