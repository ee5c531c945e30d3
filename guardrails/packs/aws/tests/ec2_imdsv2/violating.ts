import * as aws from "@pulumi/aws";

new aws.ec2.Instance("bad-default", { ami: "ami-0abcdef1234567890", instanceType: "t3.micro" });
new aws.ec2.LaunchTemplate("bad-optional", { imageId: "ami-0abcdef1234567890", metadataOptions: { httpTokens: "optional" } });
new aws.ec2.Instance("good-required", {
    ami: "ami-0abcdef1234567890",
    instanceType: "t3.micro",
    metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
});
