import * as aws from "@pulumi/aws";

export const web = new aws.lb.LoadBalancer("web", {
    loadBalancerType: "application",
    internal: false,
    securityGroups: ["sg-0a1b2c3d4e5f60718"],
    subnets: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
    dropInvalidHeaderFields: true,
});
