import * as aws from "@pulumi/aws";

const logs = new aws.s3.Bucket("lb-logs");
// The bucket is another resource's output; whether logging is on is known.
new aws.lb.LoadBalancer("good-logged", { accessLogs: { bucket: logs.bucket, enabled: true } });
new aws.lb.LoadBalancer("good-network", { loadBalancerType: "network" });
new aws.elb.LoadBalancer("good-classic", { availabilityZones: ["us-east-1a"], accessLogs: { bucket: "acme-lb-logs" } });
