import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

new aws.s3.Bucket("good-on", { versioning: { enabled: true, mfaDelete: false } });
// Unknown statically: never reported.
new aws.s3.Bucket("good-configured", { versioning: { enabled: config.requireBoolean("versioning") } });
