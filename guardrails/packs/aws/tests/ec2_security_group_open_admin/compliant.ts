import * as aws from "@pulumi/aws";

new aws.ec2.SecurityGroup("good-ssh-office", {
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.0/24"] }],
});
new aws.ec2.SecurityGroup("good-https", {
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
});
new aws.ec2.SecurityGroupRule("good-egress", {
    type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1",
});
new aws.vpc.SecurityGroupIngressRule("good-vpc-https", {
    securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0",
});
