import * as aws from "@pulumi/aws";

new aws.ec2.LaunchTemplate("good-required", { imageId: "ami-0abcdef1234567890", metadataOptions: { httpTokens: "required" } });
new aws.ec2.Instance("good-no-metadata", {
    ami: "ami-0abcdef1234567890",
    instanceType: "t3.micro",
    metadataOptions: { httpEndpoint: "disabled" },
});
