import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";

const lb = new aws.lb.LoadBalancer("web", { loadBalancerType: "application" });
new aws.lb.Listener("good-redirect", {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } }],
});
new aws.elb.LoadBalancer("good-classic", {
    availabilityZones: ["us-east-1a"],
    listeners: [{
        instancePort: 80,
        instanceProtocol: "http",
        lbPort: 443,
        lbProtocol: "https",
        sslCertificateId: "arn:aws:acm:us-east-1:111122223333:certificate/1",
    }],
});

new awsx.lb.ApplicationLoadBalancer("good-component", {
    listeners: [{ port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" }],
});
