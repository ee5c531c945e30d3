import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

new aws.s3.Bucket("site", {
    ...config.requireObject<aws.s3.BucketArgs>("siteArgs"),
    acl: "public-read",
});
