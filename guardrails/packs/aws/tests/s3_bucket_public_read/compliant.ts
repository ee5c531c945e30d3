import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
new aws.s3.Bucket("good-private", { acl: "private" });
new aws.s3.Bucket("good-default");
// Unknown statically: never reported.
new aws.s3.Bucket("good-configured", { acl: config.require("acl") });
