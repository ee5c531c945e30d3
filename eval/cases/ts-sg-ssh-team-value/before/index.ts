import * as aws from "@pulumi/aws";

// SSH is open to the world, over IPv4 and IPv6. The team allows SSH from its own networks only,
// which remedy.toml names (`admin_cidr_blocks` under `[values]`); HTTPS stays open.
export const bastion = new aws.ec2.SecurityGroup("bastion", {
    description: "Bastion host",
    vpcId: "vpc-0a1b2c3d4e5f67890",
    ingress: [
        { description: "HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
        { description: "SSH", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    tags: { Name: "bastion" },
});
