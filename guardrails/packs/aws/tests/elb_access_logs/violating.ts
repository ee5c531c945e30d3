import * as aws from "@pulumi/aws";

new aws.lb.LoadBalancer("bad-default", { loadBalancerType: "application", subnets: ["subnet-1", "subnet-2"] });
new aws.alb.LoadBalancer("bad-off", { accessLogs: { bucket: "acme-lb-logs", enabled: false } });
new aws.elb.LoadBalancer("bad-classic", {
    availabilityZones: ["us-east-1a"],
    listeners: [{ instancePort: 443, instanceProtocol: "tcp", lbPort: 443, lbProtocol: "tcp" }],
});
new aws.lb.LoadBalancer("good-logged", { accessLogs: { bucket: "acme-lb-logs", enabled: true } });
