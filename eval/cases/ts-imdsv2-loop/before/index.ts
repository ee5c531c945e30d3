import * as aws from "@pulumi/aws";

const zones = ["us-east-1a", "us-east-1b"];

export const bastions = zones.map((zone) =>
    new aws.ec2.Instance(`bastion-${zone}`, {
        ami: "ami-0abcdef1234567890",
        instanceType: "t3.micro",
        availabilityZone: zone,
        metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 },
        tags: { Name: `bastion-${zone}`, Role: "bastion" },
    }),
);
