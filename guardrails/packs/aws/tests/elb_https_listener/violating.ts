import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";

const lb = new aws.lb.LoadBalancer("web", { loadBalancerType: "application" });
const tg = new aws.lb.TargetGroup("web", { port: 80, protocol: "HTTP" });
new aws.lb.Listener("bad-forward", {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
});
new aws.elb.LoadBalancer("bad-classic", {
    availabilityZones: ["us-east-1a"],
    listeners: [{ instancePort: 80, instanceProtocol: "http", lbPort: 80, lbProtocol: "http" }],
});
new aws.lb.Listener("good-redirect", {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } }],
});
// No protocol: an ALB listener serves HTTP.
new aws.lb.Listener("bad-default-protocol", {
    loadBalancerArn: lb.arn,
    port: 80,
    defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
});

// awsx: without listeners, one on port 80 over HTTP.
new awsx.lb.ApplicationLoadBalancer("bad-component", {});
new awsx.lb.ApplicationLoadBalancer("bad-component-listener", { listener: { port: 80 } });
