import * as aws from "@pulumi/aws";

const common = { acl: "public-read", forceDestroy: true };

new aws.s3.Bucket("a", common);
new aws.s3.Bucket("b", common);
