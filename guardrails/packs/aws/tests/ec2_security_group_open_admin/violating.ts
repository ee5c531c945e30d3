import * as aws from "@pulumi/aws";

new aws.ec2.SecurityGroup("bad-ssh", {
    ingress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    ],
});
new aws.ec2.SecurityGroup("bad-rdp-v6", {
    ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ["::/0"] }],
});
new aws.ec2.SecurityGroup("bad-all", {
    ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});
new aws.ec2.SecurityGroupRule("bad-rule", {
    type: "ingress", protocol: "tcp", fromPort: 0, toPort: 65535,
    cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-123",
});
new aws.vpc.SecurityGroupIngressRule("bad-vpc-rule", {
    securityGroupId: "sg-123", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0",
});
new aws.ec2.SecurityGroup("good-web", {
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
